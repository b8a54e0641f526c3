import InletStore
import ServiceLifecycle

/// For the daemon's lifetime, a connection of its own copies the write-ahead log into the
/// database file (``InletDatabase/checkpointingInBackground(every:restartAbove:_:)``), so the
/// writer that every acknowledgement waits on only commits.
struct LogCheckpointService: Service {
  let database: InletDatabase

  func run() async throws {
    try await database.checkpointingInBackground {
      // Returns at the graceful shutdown (or throws when cancelled): either way the writer's
      // own checkpoints come back on.
      try? await gracefulShutdown()
    }
  }
}
