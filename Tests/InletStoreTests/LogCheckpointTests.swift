import Foundation
import GRDB
import Testing

@testable import InletStore

@Suite("Log checkpoints")
struct LogCheckpointTests {
  static func autocheckpoint(_ database: InletDatabase) async throws -> Int? {
    try await database.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
  }

  static func logBytes(_ temp: TempDatabase) -> Int {
    let attributes = try? FileManager.default.attributesOfItem(atPath: temp.path + "-wal")
    return (attributes?[.size] as? NSNumber)?.intValue ?? 0
  }

  @Test("a background connection copies the log; it starts over instead of growing")
  func backgroundCheckpoints() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    let message = String(repeating: "заявка ", count: 600)
    let leads = 1000
    let during = try await temp.database.checkpointingInBackground(
      every: .milliseconds(5), restartAbove: 256 << 10
    ) {
      for number in 0..<leads {
        _ = try await temp.database.ingest(
          submission(key: "k\(number)", body: #"{"name":"Иван","message":"\#(message)"}"#))
      }
      return try await Self.autocheckpoint(temp.database)
    }
    #expect(during == 0)
    #expect(try await Self.autocheckpoint(temp.database) == InletDatabase.walAutocheckpoint)
    let stored = try temp.database.readSync { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inquiries")
    }
    #expect(stored == leads)
    // 1,000 leads of ~8 KB write well over 16 MB of log; started over every 256 KB, the file
    // (which keeps its largest size) stays a fraction of that, also when the copier was held
    // up a while by a busy machine.
    let bytes = Self.logBytes(temp)
    #expect(bytes > 0)
    #expect(bytes < 6 << 20, "log file \(bytes) bytes")
  }

  @Test("without it the writer's own checkpoints stay on, and a failing body restores them")
  func restoresAutocheckpoint() async throws {
    let temp = try TempDatabase()
    defer { temp.remove() }
    #expect(try await Self.autocheckpoint(temp.database) == InletDatabase.walAutocheckpoint)
    struct Stop: Error {}
    await #expect(throws: Stop.self) {
      try await temp.database.checkpointingInBackground { () async throws -> Int in
        #expect(try await Self.autocheckpoint(temp.database) == 0)
        throw Stop()
      }
    }
    #expect(try await Self.autocheckpoint(temp.database) == InletDatabase.walAutocheckpoint)
  }
}
