import Foundation
import Hummingbird
import InletCore

/// Checks `Authorization: Bearer` on `/api/v1` against the configured tokens and the scope the
/// method needs (`read` for GET, `read-write` otherwise).
struct APITokenMiddleware: RouterMiddleware {
  typealias Context = InletRequestContext
  let tokens: @Sendable () -> [APIToken]

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    guard let header = request.headers[.authorization] else {
      throw unauthorized("send Authorization: Bearer <token>")
    }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw unauthorized("the Authorization header must be `Bearer <token>`")
    }
    let presented = String(parts[1]).trimmingCharacters(in: .whitespaces)
    var found: APIToken?
    for token in tokens() where ConstantTime.equals(presented, token.token) {
      found = token
    }
    guard let token = found else { throw unauthorized("the token is not valid") }
    let needed: APIToken.Scope =
      request.method == .get || request.method == .head ? .read : .readWrite
    guard token.scope.allows(needed) else {
      throw APIError(
        .forbidden, code: "insufficient_scope",
        message:
          "the token `\(token.name)` has scope `\(token.scope.rawValue)`; this needs `\(needed.rawValue)`"
      )
    }
    var context = context
    context.apiToken = token
    return try await next(request, context)
  }

  private func unauthorized(_ message: String) -> APIError {
    APIError(
      .unauthorized, code: "unauthorized", message: message,
      headers: [.wwwAuthenticate: "Bearer realm=\"inlet\""])
  }
}
