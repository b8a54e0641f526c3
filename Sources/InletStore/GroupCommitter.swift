import GRDB
import Synchronization

/// Runs the write transactions of concurrent requests together: every write that arrives while a
/// commit is in flight joins the next one, so one fsync acknowledges many webhooks.
///
/// Each write runs in its own savepoint, so one failing write rolls back alone; all resume only
/// after the shared transaction committed — nothing is acknowledged before it is durable.
final class GroupCommitter: Sendable {
  private let writer: DatabasePool
  private let checkpoints: LogCheckpoints
  private let state = Mutex(State())
  private let onCommit: @Sendable (_ writes: Int) -> Void

  private struct State {
    var pending: [any PendingWrite] = []
    var draining = false
  }

  init(
    writer: DatabasePool, checkpoints: LogCheckpoints,
    onCommit: @escaping @Sendable (_ writes: Int) -> Void
  ) {
    self.writer = writer
    self.checkpoints = checkpoints
    self.onCommit = onCommit
  }

  /// Runs `body` inside the next group transaction and returns its result once committed.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let job = Job(body: body, continuation: continuation)
      let startDrain = state.withLock { state -> Bool in
        state.pending.append(job)
        if state.draining { return false }
        state.draining = true
        return true
      }
      if startDrain {
        writer.asyncWriteWithoutTransaction { db in self.drain(db) }
      }
    }
  }

  /// Runs on GRDB's writer queue until no write is waiting.
  private func drain(_ db: Database) {
    while true {
      let batch = state.withLock { state -> [any PendingWrite] in
        let batch = state.pending
        state.pending.removeAll(keepingCapacity: true)
        if batch.isEmpty { state.draining = false }
        return batch
      }
      if batch.isEmpty { return }
      InletDatabase.restartLogIfWanted(db, checkpoints)
      do {
        try db.inTransaction(.immediate) {
          for job in batch { job.execute(db) }
          return .commit
        }
        onCommit(batch.count)
        for job in batch { job.finish(commitError: nil) }
      } catch {
        for job in batch { job.finish(commitError: error) }
      }
    }
  }
}

private protocol PendingWrite: AnyObject, Sendable {
  func execute(_ db: Database)
  func finish(commitError: (any Error)?)
}

/// One waiting write. `result` is only touched on the writer queue, before `finish`.
private final class Job<T: Sendable>: PendingWrite, @unchecked Sendable {
  let body: @Sendable (Database) throws -> T
  let continuation: CheckedContinuation<T, any Error>
  var result: Result<T, any Error>?

  init(
    body: @escaping @Sendable (Database) throws -> T,
    continuation: CheckedContinuation<T, any Error>
  ) {
    self.body = body
    self.continuation = continuation
  }

  func execute(_ db: Database) {
    do {
      var value: T?
      try db.inSavepoint {
        value = try body(db)
        return .commit
      }
      result = value.map { .success($0) }
    } catch {
      result = .failure(error)
    }
  }

  func finish(commitError: (any Error)?) {
    if let commitError {
      continuation.resume(throwing: commitError)
    } else if let result {
      continuation.resume(with: result)
    } else {
      continuation.resume(throwing: DatabaseError(message: "write produced no result"))
    }
  }
}
