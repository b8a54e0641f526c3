import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import InletStore
import NIOCore

/// `/api/v1/directory`: the CRM keeps inlet's copy of its clients, contacts and interests in
/// sync. Every write is idempotent (PUT replaces, DELETE of a missing record is a no-op) and
/// re-matches the still-`new` inquiries it affects in the same transaction.
struct DirectoryController {
  let database: InletDatabase

  func register(on group: RouterGroup<InletRequestContext>) {
    group.put("/directory/:kind/:id") { request, context in
      let (kind, id) = try Self.target(context)
      let body = try await Self.body(request, context: context)
      let record = try Self.decode(kind, from: body, id: id)
      let (stored, result) = try await database.upsertDirectory(record)
      return try InquiryController.json(Written(record: Stored(stored), result: result))
    }
    group.delete("/directory/:kind/:id") { _, context in
      let (kind, id) = try Self.target(context)
      return try InquiryController.json(try await database.deleteDirectory(kind, id: id))
    }
    group.get("/directory/:kind/:id") { _, context in
      let (kind, id) = try Self.target(context)
      guard let record = try await database.directoryRecord(kind, id: id) else {
        throw APIError.notFound("no \(kind.recordType) with id `\(id)`")
      }
      return try InquiryController.json(Stored(record))
    }
    group.post("/directory/batch") { request, context in
      let body = try await Self.body(request, context: context)
      let batch: DirectoryBatch
      do {
        batch = try JSONDecoder().decode(DirectoryBatch.self, from: body)
      } catch {
        throw Self.malformed(error)
      }
      let ids =
        batch.clients.map(\.id) + batch.contacts.map(\.id) + batch.interests.map(\.id)
      // Blank as the directory reads ids (newlines and non-breaking spaces too): such a record
      // could never be addressed by its URL again.
      if ids.contains(where: { DirectoryNormalizer.trimmed($0) == nil }) {
        throw APIError(
          .badRequest, code: "missing_fields", message: "every record needs a non-empty `id`")
      }
      return try InquiryController.json(try await database.applyDirectoryBatch(batch))
    }
  }

  /// The response of a PUT: the record as stored (normalised) and what the write did.
  struct Written: Encodable {
    var record: Stored
    var result: DirectoryWriteResult

    func encode(to encoder: any Encoder) throws {
      try result.encode(to: encoder)
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(record, forKey: .record)
    }

    private enum Keys: String, CodingKey { case record }
  }

  /// A record of any kind encoded as itself.
  struct Stored: Encodable {
    var record: DirectoryRecord

    init(_ record: DirectoryRecord) { self.record = record }

    func encode(to encoder: any Encoder) throws {
      switch record {
      case .client(let client): try client.encode(to: encoder)
      case .contact(let contact): try contact.encode(to: encoder)
      case .interest(let interest): try interest.encode(to: encoder)
      }
    }
  }

  static func target(_ context: InletRequestContext) throws -> (DirectoryKind, String) {
    let name = context.parameters.get("kind") ?? ""
    guard let kind = DirectoryKind(rawValue: name) else {
      throw APIError.notFound("no directory `\(name)`: use clients, contacts or interests")
    }
    // The router hands the segment over still percent-encoded; the CRM's ids are any text
    // (`ЦБ-000123`, `A 17`) and must equal those the batch and the import store.
    guard let id = (context.parameters.get("id") ?? "").removingPercentEncoding else {
      throw APIError(
        .badRequest, code: "malformed_id", message: "the record id is not valid percent-encoding")
    }
    // Ids are stored trimmed, as every record's id and reference is.
    guard let trimmed = DirectoryNormalizer.trimmed(id) else {
      throw APIError.notFound("the record id is empty")
    }
    return (kind, trimmed)
  }

  static func body(_ request: Request, context: InletRequestContext) async throws -> Data {
    if let type = request.headers[.contentType],
      !type.lowercased().hasPrefix("application/json")
    {
      throw APIError(
        .unsupportedMediaType, code: "unsupported_media_type",
        message: "send the body as Content-Type: application/json")
    }
    let buffer = try await request.body.collect(upTo: context.maxUploadSize)
    return Data(buffer: buffer)
  }

  /// Decodes a record; its `id` may be left out, but must agree with the path when present.
  static func decode(_ kind: DirectoryKind, from body: Data, id: String) throws -> DirectoryRecord {
    var object: [String: Any]
    do {
      guard let parsed = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
        throw APIError(
          .badRequest, code: "malformed_body", message: "the body must be a JSON object")
      }
      object = parsed
    } catch let error as APIError {
      throw error
    } catch {
      throw APIError(.badRequest, code: "malformed_body", message: "the body is not JSON")
    }
    // (Compared trimmed, as ids are stored: a batch takes `"C-17 "` as `C-17` too.)
    if let given = object["id"], !(given is NSNull),
      "\(given)".trimmingCharacters(in: .whitespacesAndNewlines) != id
    {
      throw APIError(
        .badRequest, code: "id_mismatch",
        message: "the body's id `\(given)` differs from the path's `\(id)`; leave it out or match")
    }
    object["id"] = id
    let data = try JSONSerialization.data(withJSONObject: object)
    do {
      let decoder = JSONDecoder()
      switch kind {
      case .clients: return .client(try decoder.decode(DirectoryClient.self, from: data))
      case .contacts: return .contact(try decoder.decode(DirectoryContact.self, from: data))
      case .interests: return .interest(try decoder.decode(DirectoryInterest.self, from: data))
      }
    } catch {
      throw malformed(error)
    }
  }

  static func malformed(_ error: any Error) -> APIError {
    APIError(.badRequest, code: "malformed_body", message: DecodingProblem.describe(error))
  }
}
