import Foundation
import Hummingbird
import NIOCore

/// A small JSON object from a request body, checked strictly: only known keys, each a string
/// (or null), so a typo in a field name is a 400 rather than a silently ignored value. An id
/// (`client_id`, `into`, …) may also be an integer, as CRMs with numeric ids send it (`42` and
/// `"42"` are the same id, as in the directory API); a blank id is none.
struct JSONBody {
  let fields: [String: String]

  /// Members that name a record by its id.
  static let idKeys: Set<String> = ["client_id", "contact_id", "interest_id", "into"]

  /// One member's value as JSON has it.
  private enum Scalar: Decodable {
    case string(String)
    case integer(Int64)
    case null, other

    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if container.decodeNil() {
        self = .null
      } else if let text = try? container.decode(String.self) {
        self = .string(text)
      } else if (try? container.decode(Bool.self)) != nil {
        self = .other
      } else if let number = try? container.decode(Int64.self) {
        self = .integer(number)
      } else {
        self = .other
      }
    }
  }

  static func parse(
    _ request: Request, context: InletRequestContext, allowed: Set<String>
  ) async throws -> JSONBody {
    if let type = request.headers[.contentType],
      !type.lowercased().hasPrefix("application/json")
    {
      throw APIError(
        .unsupportedMediaType, code: "unsupported_media_type",
        message: "send the body as Content-Type: application/json")
    }
    let buffer = try await request.body.collect(upTo: context.maxUploadSize)
    let data = Data(buffer: buffer)
    guard let object = try? JSONDecoder().decode([String: Scalar].self, from: data) else {
      throw malformed("the body must be a JSON object of strings")
    }
    var fields: [String: String] = [:]
    for (key, value) in object {
      guard allowed.contains(key) else {
        throw malformed(
          "unknown field `\(key)`; allowed: \(allowed.sorted().joined(separator: ", "))")
      }
      switch value {
      case .null: continue
      case .string(let text) where idKeys.contains(key):
        // Ids compare trimmed, as the directory stores them; a blank one (a CRM's "no id yet")
        // is no id, not a client named "".
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !id.isEmpty { fields[key] = id }
      case .string(let text): fields[key] = text
      case .integer(let number) where idKeys.contains(key): fields[key] = String(number)
      default: throw malformed("`\(key)` must be a string")
      }
    }
    return JSONBody(fields: fields)
  }

  /// ``parse(_:context:allowed:)`` for a body that may be left out: nil when there is none.
  static func parseOptional(
    _ request: Request, context: InletRequestContext, allowed: Set<String>
  ) async throws -> JSONBody? {
    let buffer = try await request.body.collect(upTo: context.maxUploadSize)
    // No body, or JSON's `null` (`JSON.stringify(null)`): nothing asked for.
    let text = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty, text != "null" else { return nil }
    var copy = request
    copy.body = RequestBody(buffer: buffer)
    return try await parse(copy, context: context, allowed: allowed)
  }

  static func malformed(_ message: String) -> APIError {
    APIError(.badRequest, code: "malformed_body", message: message)
  }

  /// A required field.
  func require(_ key: String) throws -> String {
    guard let value = fields[key], !value.isEmpty else {
      throw Self.malformed("`\(key)` is required")
    }
    return value
  }

  subscript(key: String) -> String? { fields[key] }
}
