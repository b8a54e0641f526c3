import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` (instead of the router's 404) when the path exists with other
/// methods. The routes are read from the embedded OpenAPI document, so the document stays the
/// one list of what is served, and a test checks it against the router.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
  /// Path templates (`/api/v1/inquiries/{id}`) split in segments, with their methods.
  let routes: [(segments: [Substring], methods: [String])]

  init(document: String = OpenAPIDocument.yaml) {
    var routes: [(segments: [Substring], methods: [String])] = []
    var inPaths = false
    for line in document.split(separator: "\n") {
      if !line.hasPrefix(" ") {
        inPaths = line == "paths:"
        continue
      }
      guard inPaths else { continue }
      if line.hasPrefix("  /"), line.hasSuffix(":") {
        routes.append((line.dropFirst(2).dropLast().split(separator: "/"), []))
      } else if line.hasPrefix("    "), !line.hasPrefix("     "), !routes.isEmpty {
        let key = line.dropFirst(4).prefix { $0 != ":" }
        if ["get", "put", "post", "delete", "patch"].contains(key) {
          routes[routes.count - 1].methods.append(key.uppercased())
        }
      }
    }
    self.routes = routes
  }

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let error as any HTTPResponseError
      where error.status == .notFound && !(error is APIError)
    {
      let allowed = methods(for: request.uri.path)
      guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
      throw APIError(
        .methodNotAllowed, code: "method_not_allowed",
        message: "use \(allowed.joined(separator: ", ")) on this path",
        headers: [.allow: allowed.joined(separator: ", ")])
    }
  }

  /// The methods documented for the template that `path` matches; a trailing `{rest}` takes
  /// the rest of the path.
  func methods(for path: String) -> [String] {
    let parts = path.split(separator: "/")
    for route in routes {
      var matched = true
      for (index, segment) in route.segments.enumerated() {
        if segment == "{rest}", index == route.segments.count - 1 {
          matched = parts.count >= route.segments.count
          break
        }
        guard index < parts.count else {
          matched = false
          break
        }
        if !segment.hasPrefix("{") && segment != parts[index] {
          matched = false
          break
        }
        if index == route.segments.count - 1 && parts.count != route.segments.count {
          matched = false
        }
      }
      if matched, !route.segments.isEmpty { return route.methods }
    }
    return []
  }
}
