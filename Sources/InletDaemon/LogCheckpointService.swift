import InletStore
import Logging
import ServiceLifecycle

/// For the daemon's lifetime, a connection of its own copies the write-ahead log into the
/// database file (``InletDatabase/checkpointingInBackground(every:restartAbove:_:)``), so the
/// writer that every acknowledgement waits on only commits. When that connection cannot be
/// opened the writer keeps checkpointing itself, as SQLite does by default: slower, not wrong.
struct LogCheckpointService: Service {
  let database: InletDatabase
  let logger: Logger

  func run() async throws {
    do {
      try await database.checkpointingInBackground {
        // Returns at the graceful shutdown (or throws when cancelled): either way the writer's
        // own checkpoints come back on.
        try? await gracefulShutdown()
      }
    } catch {
      // Cancelled before the connection was opened: the group is stopping (at start-up because
      // another service failed, a port in use), and its log line must be about that cause.
      if error is CancellationError || Task.isCancelled {
        logger.debug("log checkpoints not started: cancelled", metadata: ["error": "\(error)"])
        return
      }
      logger.warning(
        "the write-ahead log is checkpointed by the writer itself",
        metadata: ["error": "\(error)"])
      try? await gracefulShutdown()
    }
  }
}
