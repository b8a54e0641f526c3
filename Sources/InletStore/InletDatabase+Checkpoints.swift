import Foundation
import GRDB
import Metrics
import Synchronization

/// Who copies the write-ahead log into the database file.
///
/// By default SQLite's writer does, inside the commit that takes the log past 1,000 pages — on
/// the one thread every acknowledgement waits for. While ``InletDatabase/checkpointingInBackground(every:restartAbove:_:)``
/// runs, a connection of its own does it on another core, and the writer only commits.
final class LogCheckpoints: Sendable {
  /// Background checkpointers running (the writer's automatic checkpoints are off while > 0).
  let running = Mutex(0)
  /// Set by the background connection when the log has grown large; the writer then copies the
  /// rest itself before its next transaction (see ``InletDatabase/restartLogIfWanted(_:)``).
  let restartWanted = Atomic<Bool>(false)
}

extension InletDatabase {
  /// SQLite's default: the writer checkpoints when the log passes this many pages.
  static let walAutocheckpoint = 1000

  /// Runs `body` while a second connection copies the write-ahead log into the database file
  /// every `interval` (passive checkpoints: they never block the writer or readers), instead of
  /// the writer doing it after its commits. Commits stay exactly as durable; only who copies the
  /// log changes. Used by `inlet serve` for the daemon's lifetime and by bulk loads.
  ///
  /// SQLite starts the log over only when a write transaction begins with every frame copied,
  /// which a busy writer rarely sees; so once the log is larger than `restartAbove` bytes the
  /// writer copies the few frames left before its next transaction, and the log starts over
  /// instead of growing for as long as the load lasts.
  public func checkpointingInBackground<T>(
    every interval: Duration = .milliseconds(50), restartAbove: Int = 64 << 20,
    _ body: () async throws -> T
  ) async throws -> T {
    let checkpoints = self.checkpoints
    // The second connection first: when it cannot be had, nothing has changed.
    let copier = try DatabaseQueue(path: pool.path)
    let pageSize = try await copier.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") }
    let largeFrames = restartAbove / max(pageSize ?? 4096, 512)
    let first = checkpoints.running.withLock { running in
      running += 1
      return running == 1
    }
    if first {
      do {
        try await pool.writeWithoutTransaction { db in
          try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
      } catch {
        checkpoints.running.withLock { $0 -= 1 }
        throw error
      }
    }
    let log = pool.path + "-wal"
    let copying = Task.detached {
      // Only when the log was written since the last look: an idle daemon takes no locks.
      var seen: (size: Int, seconds: Int, nanoseconds: Int)?
      while !Task.isCancelled {
        try? await Task.sleep(for: interval)
        var status = stat()
        if stat(log, &status) == 0 {
          let now = (Int(status.st_size), status.st_mtim.tv_sec, status.st_mtim.tv_nsec)
          if let seen, seen == now { continue }
          seen = now
        }
        let frames: Int?
        do {
          frames = try await copier.writeWithoutTransaction { db in
            try db.checkpoint(.passive).walFrameCount
          }
        } catch let error as DatabaseError
          where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        {
          // Another connection is copying the log (the writer's own restart, an import's
          // copier beside the daemon): nothing is wrong, and the next look copies what is left.
          frames = nil
          seen = nil
        } catch {
          // A full disk, an I/O error: the log keeps growing until the copy succeeds again —
          // counted (`inlet_store_checkpoint_failures_total`), where an alert can see it.
          frames = nil
          seen = nil
          if !Task.isCancelled {
            Counter(label: "inlet_store_checkpoint_failures_total").increment()
          }
        }
        if let frames, frames > largeFrames {
          checkpoints.restartWanted.store(true, ordering: .relaxed)
        }
      }
    }
    let result: Result<T, any Error>
    do {
      result = .success(try await body())
    } catch {
      result = .failure(error)
    }
    copying.cancel()
    await copying.value
    try copier.close()
    let last = checkpoints.running.withLock { running in
      running -= 1
      return running == 0
    }
    if last {
      try await pool.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walAutocheckpoint)")
        _ = try? db.checkpoint(.passive)
      }
    }
    return try result.get()
  }

  /// On the writer, before a transaction: lets the log start over when the background
  /// connection found it large (copies what it has not yet; a busy result — it is copying right
  /// now — leaves that to a later transaction).
  static func restartLogIfWanted(_ db: Database, _ checkpoints: LogCheckpoints) {
    guard checkpoints.restartWanted.exchange(false, ordering: .relaxed) else { return }
    _ = try? db.checkpoint(.passive)
  }
}
