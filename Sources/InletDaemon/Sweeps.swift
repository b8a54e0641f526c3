import Foundation
import Logging
import ServiceLifecycle

/// The loop of a service that sweeps the store now and then (open calls, old events): `sweep`
/// until a graceful shutdown, `interval()` seconds apart. A failed sweep is logged as
/// `failure` and the next one tries again; a shutdown's cancelled write is no failure, and the
/// wait is cut short by the shutdown (SIGTERM must not wait it out).
func sweepUntilShutdown(
  logger: Logger, failure: Logger.Message, interval: () -> TimeInterval,
  sweep: () async throws -> Void
) async {
  while !Task.isShuttingDownGracefully && !Task.isCancelled {
    do {
      try await sweep()
    } catch {
      if !Task.isCancelled && !Task.isShuttingDownGracefully {
        logger.warning(failure, metadata: ["error": "\(error)"])
      }
    }
    let seconds = interval()
    _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }
  }
}
