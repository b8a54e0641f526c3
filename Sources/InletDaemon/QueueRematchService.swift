import InletStore
import Logging
import ServiceLifecycle

/// At start, matches the queue of `new` inquiries again when the matching rules changed since
/// it was last matched (an upgrade, an edited `matching:` or `phone.default_country`) — in the
/// background, chunk by chunk, while the listener already takes leads: a large queue never
/// keeps the port closed or the start past systemd's timeout. Then it is done.
struct QueueRematchService: Service {
  let database: InletDatabase
  let logger: Logger

  func run() async throws {
    let started = ContinuousClock.now
    do {
      guard let changed = try await database.rematchQueueIfRulesChanged(), changed > 0 else {
        return
      }
      logger.notice(
        "the queue was matched again: the matching rules changed (an upgrade or matching:)",
        metadata: [
          "inquiries.changed": "\(changed)", "duration": "\(ContinuousClock.now - started)",
        ])
    } catch {
      // The fingerprint is stored only at the end: the next start does it again.
      if !Task.isCancelled && !Task.isShuttingDownGracefully {
        logger.warning(
          "the queue could not be matched again after the rules changed; the next start tries",
          metadata: ["error": "\(error)"])
      }
    }
  }
}
