import HTTPTypes
import InletCore

/// Cross-origin access for a channel whose instance lists `cors_origins` (a website's own
/// script posting its form with `fetch`).
struct CORSPolicy {
  let origins: [String]

  init(options: [String: Value]) {
    origins = ChannelOptions.strings(options["cors_origins"])
  }

  /// Whether a request from `origin` may read the answer.
  func allows(_ origin: String?) -> Bool {
    guard let origin, !origin.isEmpty else { return false }
    return origins.contains("*") || origins.contains { $0 == origin }
  }

  /// The headers added to every answer to an allowed origin.
  func headers(for origin: String) -> HTTPFields {
    var headers = HTTPFields()
    headers[.accessControlAllowOrigin] = origins.contains("*") ? "*" : origin
    headers[.vary] = "Origin"
    return headers
  }

  /// The answer to a preflight `OPTIONS`.
  func preflightHeaders(for origin: String, requestedHeaders: String?) -> HTTPFields {
    var headers = self.headers(for: origin)
    headers[.accessControlAllowMethods] = "POST, GET, OPTIONS"
    headers[.accessControlAllowHeaders] =
      requestedHeaders ?? "Content-Type, Accept, Authorization, Idempotency-Key"
    headers[.accessControlMaxAge] = "600"
    return headers
  }
}
