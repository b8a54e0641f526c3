import Foundation
import GRDB
import InletStore
import NIOHTTP1
import Synchronization
import Testing

/// Shared by the concurrent clients of the crash test.
private final class Progress: Sendable {
  let acknowledged = Mutex<[Int: String]>([:])
  let killed = Atomic<Bool>(false)
  let next = Atomic<Int>(0)
}

/// kill -9 in the middle of a stream of submissions: whatever was acknowledged survives, and
/// re-sending what was not acknowledged stores each submission exactly once.
@Suite("Crash", .serialized)
struct CrashTests {
  @Sendable static func body(_ index: Int) -> String {
    let phone = "+7916" + String(format: "%07d", index)
    return #"{"name":"Клиент \#(index)","phone":"\#(phone)","message":"заявка \#(index)"}"#
  }

  @Test("kill -9 during 2,000 submissions, restart, re-send: every one exactly once")
  func killDuringSubmissions() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()

    let total = 2000
    let progress = Progress()
    let body = Self.body

    // 16 concurrent clients; after 600 acknowledgements the daemon is killed mid-stream.
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<16 {
        group.addTask {
          // A client stops when the daemon is gone; what it saw no 2xx for is re-sent below.
          while !progress.killed.load(ordering: .relaxed) {
            let index = progress.next.add(1, ordering: .relaxed).oldValue
            if index >= total { return }
            guard
              let reply = try? await daemon.postLead(body(index), key: "crash-\(index)"),
              reply.status == 201 || reply.status == 200,
              let id = reply.json["id"] as? String
            else { continue }
            let count = progress.acknowledged.withLock { acked -> Int in
              acked[index] = id
              return acked.count
            }
            if count == 600, !progress.killed.exchange(true, ordering: .relaxed) {
              daemon.kill9()
            }
          }
        }
      }
    }
    let beforeRestart = progress.acknowledged.withLock { $0 }
    let wasKilled = progress.killed.load(ordering: .relaxed)
    #expect(wasKilled, "the daemon was killed mid-stream")
    #expect(beforeRestart.count < total, "some submissions must have failed with the daemon down")

    // Every acknowledged submission is in the database after the crash.
    let db = try InletDatabase(path: daemon.databasePath)
    let storedKeys = try db.readSync { db in
      try String.fetchAll(db, sql: "SELECT idempotency_key FROM raw_items")
    }
    let stored = Set(storedKeys)
    for index in beforeRestart.keys {
      #expect(stored.contains("site:crash-\(index)"), "acknowledged \(index) was lost")
    }

    try await daemon.start()
    for index in 0..<total where beforeRestart[index] == nil {
      let reply = try await daemon.postLead(body(index), key: "crash-\(index)")
      #expect(reply.status == 201 || reply.status == 200, "re-send \(index): \(reply.body)")
    }
    // A client that re-sends acknowledged ones too gets the same ids.
    for index in beforeRestart.keys.sorted().prefix(50) {
      let reply = try await daemon.postLead(body(index), key: "crash-\(index)")
      #expect(reply.status == 200)
      #expect(reply.json["id"] as? String == beforeRestart[index])
    }

    let (raws, inquiries, distinctKeys, distinctTexts) = try db.readSync { db in
      (
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_items") ?? 0,
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inquiries") ?? 0,
        try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT idempotency_key) FROM raw_items") ?? 0,
        try Int.fetchOne(
          db, sql: "SELECT COUNT(DISTINCT json_extract(document, '$.text')) FROM inquiry_documents")
          ?? 0
      )
    }
    #expect(raws == total)
    #expect(inquiries == total)
    #expect(distinctKeys == total)
    #expect(distinctTexts == total)
    daemon.stop()
  }
}
