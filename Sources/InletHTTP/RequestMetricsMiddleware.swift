import Hummingbird
import Metrics

/// Records every request's latency in `inlet_http_request_duration_seconds{group}` (a
/// Prometheus histogram): `hooks` (webhooks), `api`, `health` (health and metrics).
struct RequestMetricsMiddleware: RouterMiddleware {
  typealias Context = InletRequestContext

  private static let timers: [String: Timer] = Dictionary(
    uniqueKeysWithValues: ["hooks", "api", "health", "other"].map {
      (
        $0,
        Timer(
          label: "inlet_http_request_duration_seconds", dimensions: [("group", $0)],
          preferredDisplayUnit: .seconds)
      )
    })

  static func group(_ path: String) -> String {
    if path.hasPrefix("/hooks/") { return "hooks" }
    if path.hasPrefix("/api/") { return "api" }
    if path.hasPrefix("/health") || path == "/metrics" { return "health" }
    return "other"
  }

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let started = ContinuousClock.now
    defer {
      let elapsed = (ContinuousClock.now - started).components
      Self.timers[Self.group(request.uri.path)]?.recordNanoseconds(
        elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
    }
    return try await next(request, context)
  }
}
