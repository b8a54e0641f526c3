import Foundation

/// SQLite's write lock on a database, held by another process (the `sqlite3` shell in an open
/// `BEGIN IMMEDIATE`) until ``release()``: what a directory import or a backup does to the
/// daemon's file.
final class WriteLock {
  private let sqlite = Process()
  private let input = Pipe()

  /// Returns once the lock is held.
  init(_ databasePath: String) throws {
    let output = Pipe()
    sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    sqlite.arguments = [databasePath]
    sqlite.standardInput = input
    sqlite.standardOutput = output
    try sqlite.run()
    // With a busy timeout: a lock another connection holds for a moment (a checkpoint) must
    // delay the BEGIN, not fail it and leave the database unlocked.
    input.fileHandleForWriting.write(
      Data(".timeout 5000\nBEGIN IMMEDIATE;\nSELECT 'locked';\n".utf8))
    let answer = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
    guard answer.hasPrefix("locked") else {
      sqlite.terminate()
      throw HarnessError("sqlite3 could not take the write lock: \(answer)")
    }
  }

  /// Commits the empty transaction and waits for `sqlite3` to exit.
  func release() throws {
    input.fileHandleForWriting.write(Data("COMMIT;\n".utf8))
    try input.fileHandleForWriting.close()
    sqlite.waitUntilExit()
  }
}
