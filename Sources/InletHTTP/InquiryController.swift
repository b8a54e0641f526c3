import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import InletStore
import NIOCore

/// The CRM API's inquiry routes under `/api/v1`.
struct InquiryController {
  let database: InletDatabase
  /// A kept raw item read again when it is promoted: the attachments in its bytes (a letter's
  /// parts, a form's files) and its idempotency key as the channel computes it.
  var keptReading: @Sendable (RawItemRecord) -> KeptReading = {
    KeptReading(idempotencyKey: $0.idempotencyKey)
  }

  func register(on group: RouterGroup<InletRequestContext>) {
    group.get("/inquiries/:id") { _, context in
      let id = context.parameters.get("id") ?? ""
      guard let inquiry = try await database.inquiry(id: id) else {
        throw APIError.notFound("no inquiry with id `\(id)`")
      }
      return try Self.json(inquiry)
    }
  }

  static func json(_ value: some Encodable) throws -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    let data = try InquiryJSON.encoder().encode(value)
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}
