import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error answer in the one shape inlet uses everywhere:
/// `{"error": {"code": "snake_case", "message": "what to do"}}`.
public struct APIError: HTTPResponseError, Sendable {
  public var status: HTTPResponse.Status
  public var code: String
  public var message: String
  /// Extra members of the error object (`raw_id` of a quarantined input).
  public var details: [String: String]
  public var headers: HTTPFields

  public init(
    _ status: HTTPResponse.Status, code: String, message: String,
    details: [String: String] = [:], headers: HTTPFields = [:]
  ) {
    self.status = status
    self.code = code
    self.message = message
    self.details = details
    self.headers = headers
  }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    var object: [String: String] = details
    object["code"] = code
    object["message"] = message
    let data = try JSONSerialization.data(
      withJSONObject: ["error": object], options: [.sortedKeys, .withoutEscapingSlashes])
    var headers = self.headers
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(
      status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }

  /// The store cannot be used for now (design.md: 503, the client retries): nothing was done.
  static let storageUnavailable = APIError(
    .serviceUnavailable, code: "storage_unavailable",
    message: "inlet could not use its database; nothing was stored or changed, retry later",
    headers: [.retryAfter: "5"])

  static func notFound(_ message: String) -> APIError {
    APIError(.notFound, code: "not_found", message: message)
  }
}
