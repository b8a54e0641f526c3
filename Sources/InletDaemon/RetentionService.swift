import Foundation
import InletStore
import Logging
import Metrics
import ServiceLifecycle

/// Deletes the change feed's events older than `retention.events` (and their finished
/// deliveries), so the file stops growing with every change a long-running daemon records.
/// The inquiries, raw items and attachments stay. Sweeps at start and then hourly — more often
/// for a short retention; a reader behind what was deleted gets 410 `events_pruned`.
struct RetentionService: Service {
  let database: InletDatabase
  let retention: Duration
  let logger: Logger
  private let pruned = Counter(label: "inlet_events_pruned_total")
  static let heldMessage =
    "events older than retention.events are kept: the CRM is still owed a delivery of one of "
    + "them; retry it or discard it (POST /api/v1/deliveries/ID/retry or /discard)"

  init(database: InletDatabase, retention: Duration, logger: Logger) {
    self.database = database
    self.retention = retention
    self.logger = logger
  }

  /// The service when `retention.events` keeps events for a while (none for `0d`).
  static func services(loaded: LoadedConfig, database: InletDatabase, logger: Logger)
    -> [ServiceGroupConfiguration.ServiceConfiguration]
  {
    guard let retention = loaded.config.retention.events else { return [] }
    return [
      .init(service: RetentionService(database: database, retention: retention, logger: logger))
    ]
  }

  func run() async throws {
    let interval = min(3600, max(1, retention.inSeconds / 4))
    await sweepUntilShutdown(
      logger: logger, failure: "old events could not be deleted", interval: { interval },
      sweep: {
        let cutoff = Date().addingTimeInterval(-retention.inSeconds)
        let count = try await database.pruneEvents(before: cutoff)
        if let held = try await database.retentionHeld(before: cutoff) {
          logger.warning(
            "\(Self.heldMessage)",
            metadata: [
              "delivery.id": "\(held.id)", "delivery.status": "\(held.status.rawValue)",
              "event.id": "\(held.eventID)",
            ])
        }
        guard count > 0 else { return }
        pruned.increment(by: count)
        let through = try await database.prunedEventsThrough()
        logger.info(
          "events older than retention.events were deleted",
          metadata: ["events.deleted": "\(count)", "events.pruned_through": "\(through)"])
      })
  }
}
