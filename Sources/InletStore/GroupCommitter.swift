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
      // Usually no write fails: the batch runs without a savepoint per write (two statements
      // and a statement journal each). When one does throw, the whole transaction is rolled
      // back and the batch runs again with every write in its own savepoint, so the failing
      // one rolls back alone. (Writes only touch the database and return values, so running
      // one twice is harmless.)
      do {
        try db.inTransaction(.immediate) {
          for job in batch { try job.executeUnguarded(db) }
          return .commit
        }
        onCommit(batch.count)
        for job in batch { job.finish(commitError: nil) }
        continue
      } catch is WriteFailed {
        // Retried below, write by write.
      } catch {
        for job in batch { job.finish(commitError: error) }
        continue
      }
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

/// A write of a batch threw in the first pass (the batch is then run write by write).
private struct WriteFailed: Error {}

private protocol PendingWrite: AnyObject, Sendable {
  /// Runs the write in its own savepoint, recording its result or error.
  func execute(_ db: Database)
  /// Runs the write in the enclosing transaction; throws ``WriteFailed`` when it fails.
  func executeUnguarded(_ db: Database) throws
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

  func executeUnguarded(_ db: Database) throws {
    do {
      result = .success(try body(db))
    } catch {
      result = nil
      throw WriteFailed()
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
