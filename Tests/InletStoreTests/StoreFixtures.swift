import Foundation
import InletCore
import InletStore
import Testing

/// A database file in a fresh temporary folder.
struct TempDatabase {
  let folder: URL
  let path: String
  let database: InletDatabase

  init(migrate: Bool = true) throws {
    folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    path = folder.appendingPathComponent("inlet.sqlite").path
    database = try InletDatabase(path: path)
    if migrate { try database.migrate() }
  }

  func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// A submission of the generic channel carrying `inquiry`.
func submission(
  key: String? = nil, email: String? = "lead@example.ru", phone: String? = nil,
  disposition: RawSubmission.Disposition? = nil, files: [UploadedFile] = [],
  body: String = #"{"name":"Иван"}"#
) -> RawSubmission {
  let request = HookRequest(
    method: "POST", headers: [(name: "Content-Type", value: "application/json")],
    body: Array(body.utf8))
  let inquiry = Inquiry(
    channel: "site", kind: .form, receivedAt: Date(), text: "Нужен счёт",
    sender: .init(name: "Иван", email: email, phone: phone))
  return RawSubmission(
    channel: "site", event: "submission", idempotencyKey: key, receivedAt: Date(),
    transport: TransportMetadata(request), body: request.body,
    disposition: disposition ?? .inquiry(inquiry), files: files,
    context: ReplyContext(request: request, fields: nil, options: [:], secrets: ChannelSecrets([:]))
  )
}

/// The inquiry id of an ingest that created one.
func createdID(_ result: IngestResult) throws -> String {
  guard case .created(let id, _) = result else {
    throw StoreTestError("expected created, got \(result)")
  }
  return id
}

/// Accepts inquiry `id` as a new client the CRM created as `client`; records an issue when the
/// transition did not happen.
func acceptAsNewClient(_ id: String, client: String, in database: InletDatabase) async throws {
  let outcome = try await database.apply(
    .accept(action: .newClient, clientID: client, contactID: nil, interestID: nil, comment: nil),
    to: id, by: "crm")
  guard case .changed = outcome else {
    Issue.record("\(id) not accepted: \(outcome)")
    return
  }
}
