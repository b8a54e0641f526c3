import HTTPTypes
import InletCore

/// Cross-origin access for a channel whose instance lists `cors_origins` (a website's own
/// script posting its form with `fetch`).
///
/// Origins compare as browsers serialise them: `https://Example.ru/` in the config is the
/// `Origin: https://example.ru` a browser sends (``ChannelOptions/origin(_:)``).
struct CORSPolicy {
  /// The configured origins, normalised (`*` as is): ``ChannelInstance/corsOrigins``.
  let origins: [String]

  /// Whether a request from `origin` may read the answer.
  func allows(_ origin: String?) -> Bool {
    guard let origin, !origin.isEmpty else { return false }
    if origins.contains("*") { return true }
    guard let normalised = ChannelOptions.origin(origin) else { return false }
    return origins.contains(normalised)
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
