import HTTPTypes
import Hummingbird
import InletStore
import Logging

/// Renders every error, including the framework's own (no route, body too large), in the JSON
/// error shape, and logs unexpected ones.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let error as APIError {
      throw error
    } catch let error as any HTTPResponseError {
      throw Self.translate(error.status)
    } catch  where StorageFailure.isTransient(error) {
      // Storage failing (design.md: 503, the client retries), not a fault of the request.
      context.logger.error(
        "storage unavailable",
        metadata: ["error": "\(error)", "http.path": "\(Self.loggedPath(request.uri.path))"])
      throw APIError.storageUnavailable
    } catch {
      context.logger.error(
        "request failed",
        metadata: ["error": "\(error)", "http.path": "\(Self.loggedPath(request.uri.path))"])
      throw APIError(
        .internalServerError, code: "internal_error",
        message: "inlet could not handle the request; see the daemon's log")
    }
  }

  /// The path as logged: under `/hooks/<channel>/` the rest may be a token (Zammad-style CTI
  /// URLs carry it in the path), so only the channel is kept.
  static func loggedPath(_ path: String) -> String {
    let segments = path.split(separator: "/", omittingEmptySubsequences: false)
    guard segments.count > 3, segments[1] == "hooks" else { return path }
    return "/hooks/\(segments[2])/…"
  }

  static func translate(_ status: HTTPResponse.Status) -> APIError {
    switch status.code {
    case 404:
      return APIError(.notFound, code: "not_found", message: "no such endpoint")
    case 405:
      return APIError(
        .methodNotAllowed, code: "method_not_allowed", message: "this method is not served here")
    case 413:
      return APIError(
        .contentTooLarge, code: "body_too_large",
        message: "the body is larger than the limit (http.max_body_bytes)")
    default:
      return APIError(
        status, code: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_"),
        message: status.reasonPhrase)
    }
  }
}
