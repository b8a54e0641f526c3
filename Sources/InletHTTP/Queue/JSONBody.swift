import Foundation
import Hummingbird
import NIOCore

/// A small JSON object from a request body, checked strictly: only known keys, each a string
/// (or null), so a typo in a field name is a 400 rather than a silently ignored value.
struct JSONBody {
  let fields: [String: String]

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
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw malformed("the body must be a JSON object")
    }
    var fields: [String: String] = [:]
    for (key, value) in object {
      guard allowed.contains(key) else {
        throw malformed(
          "unknown field `\(key)`; allowed: \(allowed.sorted().joined(separator: ", "))")
      }
      if value is NSNull { continue }
      guard let string = value as? String else { throw malformed("`\(key)` must be a string") }
      fields[key] = string
    }
    return JSONBody(fields: fields)
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
