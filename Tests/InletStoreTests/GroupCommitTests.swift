import Foundation
import GRDB
import InletCore
import Testing

@testable import InletStore

@Suite("Group commit")
struct GroupCommitTests {
  @Test("the writer syncs the log at every commit (synchronous = FULL, not GRDB's WAL default)")
  func writerSyncsEveryCommit() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let level = try await temp.database.pool.writeWithoutTransaction { db in
      try Int.fetchOne(db, sql: "PRAGMA synchronous")
    }
    #expect(level == 2, "2 is FULL; GRDB's WAL set-up leaves 1 (NORMAL)")
  }

  @Test("concurrent ingests share commits and every one is stored once")
  func concurrentShareCommits() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let count = 400
    let results = try await withThrowingTaskGroup(of: IngestResult.self) { group in
      for index in 0..<count {
        group.addTask { try await temp.database.ingest(submission(key: "site:\(index)")) }
      }
      var all: [IngestResult] = []
      for try await result in group { all.append(result) }
      return all
    }
    var ids: Set<String> = []
    for result in results {
      guard case .created(let inquiryID, _) = result else {
        Issue.record("expected created, got \(result)")
        continue
      }
      ids.insert(inquiryID)
    }
    #expect(ids.count == count)
    let stats = temp.database.commitStats
    #expect(stats.writes == count)
    // With many writers waiting, one transaction carries several of them.
    #expect(stats.commits < count, "expected batched commits, got \(stats.commits)")
    let stored = try temp.database.readSync { db in try RawItemRecord.fetchCount(db) }
    #expect(stored == count)
  }

  @Test("a failing write rolls back alone; its batch-mates commit")
  func failureIsolated() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    struct Boom: Error {}
    try await withThrowingTaskGroup(of: Void.self) { group in
      for index in 0..<50 {
        group.addTask {
          if index % 10 == 0 {
            await #expect(throws: Boom.self) {
              try await temp.database.write { db in
                try db.execute(
                  sql: "INSERT INTO clients (id, updated_at) VALUES (?, 0)",
                  arguments: ["x\(index)"])
                throw Boom()
              }
            }
          } else {
            _ = try await temp.database.ingest(submission(key: "site:\(index)"))
          }
        }
      }
      try await group.waitForAll()
    }
    let (raws, clients) = try temp.database.readSync { db in
      (try RawItemRecord.fetchCount(db), try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clients"))
    }
    #expect(raws == 45)
    #expect(clients == 0)
  }
}
