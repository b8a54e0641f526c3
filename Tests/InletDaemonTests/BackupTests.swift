import Foundation
import GRDB
import Synchronization
import Testing

/// `inlet backup` beside the running daemon and `inlet restore` with it stopped, on the real
/// binary and its SQLite file: the backup is a consistent copy, a restore never gives out an id
/// a CRM has already seen, and a wrong file or a running daemon is refused.
@Suite("Backup and restore", .serialized)
struct BackupTests {
  static func events(after id: Int, _ daemon: DaemonHarness) async throws
    -> DaemonHarness.Reply
  {
    try await daemon.api(.GET, "/events?after=\(id)", token: daemon.readToken)
  }

  /// The databases restores moved aside (without their `-wal` and `-shm`), as paths.
  static func replacedFiles(_ daemon: DaemonHarness) throws -> [String] {
    let folder = (daemon.databasePath as NSString).deletingLastPathComponent
    return try FileManager.default.contentsOfDirectory(atPath: folder)
      .filter { $0.hasPrefix("inlet.sqlite.replaced-") }
      .filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }
      .map { folder + "/" + $0 }
  }

  @Test("a backup beside the running daemon restores with ids that never repeat")
  func backupAndRestore() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    for n in 1...3 { #expect(try await daemon.submitLead(n) == String(n)) }
    let backup = daemon.folder.appendingPathComponent("nightly.sqlite").path

    let taken = try daemon.cli(["backup", backup])
    #expect(taken.status == 0, "\(taken.error)")
    #expect(taken.output.contains("3 inquiries, 3 raw items"), "\(taken.output)")
    // One self-contained file: nothing beside it.
    #expect(!FileManager.default.fileExists(atPath: backup + "-wal"))
    #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
    let again = try daemon.cli(["backup", backup])
    #expect(again.status == 1)
    #expect(again.error.contains("exists"), "\(again.error)")

    // After the backup the CRM sees two more leads and their events.
    for n in 4...5 { #expect(try await daemon.submitLead(n) == String(n)) }
    let seen = try #require(try await Self.events(after: 0, daemon).json["last_event_id"] as? Int)
    #expect(seen == 5)

    let whileRunning = try daemon.cli(["restore", backup])
    #expect(whileRunning.status == 1)
    #expect(whileRunning.error.contains("stop it first"), "\(whileRunning.error)")
    #expect(try await daemon.get("/api/v1/inquiries/5", token: daemon.readToken).0 == 200)

    var mode = stat()
    #expect(stat(backup, &mode) == 0 && mode.st_mode & 0o777 == 0o600)
    #expect(daemon.stop() == 0)
    // As installed, the file is the service user's: a restore run as root keeps it theirs.
    let asRoot = geteuid() == 0
    if asRoot {
      #expect(chown(daemon.databasePath, 4242, 4243) == 0)
      #expect(chmod(daemon.databasePath, 0o640) == 0)
    }
    let restored = try daemon.cli(["restore", backup])
    #expect(restored.status == 0, "\(restored.error)")
    #expect(restored.output.contains("3 inquiries"), "\(restored.output)")
    #expect(restored.output.contains("last ids: inquiries 5, raw_items 5, events 5"))
    #expect(try Self.replacedFiles(daemon).count == 1)
    var owner = stat()
    #expect(stat(daemon.databasePath, &owner) == 0)
    if asRoot {
      #expect(owner.st_uid == 4242 && owner.st_gid == 4243)
      #expect(owner.st_mode & 0o777 == 0o640)
    }

    try await daemon.start()
    #expect(try await daemon.get("/api/v1/inquiries/3", token: daemon.readToken).0 == 200)
    #expect(try await daemon.get("/api/v1/inquiries/4", token: daemon.readToken).0 == 404)
    // The next lead is 6, not a second 4; a CRM resuming at the event it saw is not "ahead".
    #expect(try await daemon.submitLead(6) == "6")
    let resumed = try await Self.events(after: seen, daemon)
    #expect(resumed.status == 200, "\(resumed.body)")
    let items = try #require(resumed.json["items"] as? [[String: Any]])
    #expect(items.map { $0["id"] as? Int } == [6])
    #expect(items.map { $0["inquiry_id"] as? String } == ["6"])

    // The disk with the database died: its ids are unknown, so they jump well past the backup's.
    #expect(daemon.stop() == 0)
    for suffix in ["", "-wal", "-shm"] {
      try? FileManager.default.removeItem(atPath: daemon.databasePath + suffix)
    }
    let blind = try daemon.cli(["restore", backup])
    #expect(blind.status == 0, "\(blind.error)")
    #expect(blind.output.contains("could not be read"), "\(blind.output)")
    try await daemon.start()
    #expect(try await daemon.submitLead(7) == "1000004")
  }

  @Test("a backup taken while leads arrive is one moment's database: every lead whole")
  func backupUnderLoad() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    // The writer posts leads until told to stop, and five more after that: the last backup is
    // surely taken before leads it does not hold.
    let stop = Mutex(false)
    let writer = Task {
      var n = 0
      var extra = 0
      while extra < 5 {
        n += 1
        _ = try await daemon.submitLead(n)
        if stop.withLock({ $0 }) { extra += 1 }
      }
      return n
    }
    while try await Self.events(after: 0, daemon).json["last_event_id"] as? Int == 0 {
      try await Task.sleep(for: .milliseconds(10))
    }
    var backups: [String] = []
    for round in 1...3 {
      let file = daemon.folder.appendingPathComponent("b\(round).sqlite").path
      let taken = try daemon.cli(["backup", file])
      #expect(taken.status == 0, "\(taken.error)")
      backups.append(file)
    }
    stop.withLock { $0 = true }
    let total = try await writer.value
    var counts: [Int] = []
    for file in backups {
      let queue = try DatabaseQueue(path: file)
      let (inquiries, orphans, integrity) = try queue.inDatabase { db in
        (
          try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inquiries") ?? -1,
          // An inquiry without its raw item or its created event, or a raw item of the site
          // without its inquiry: half of one commit.
          try Int.fetchOne(
            db,
            sql: """
              SELECT (SELECT COUNT(*) FROM inquiries i WHERE NOT EXISTS
                  (SELECT 1 FROM raw_items r WHERE r.id = i.raw_id)
                OR NOT EXISTS (SELECT 1 FROM events e WHERE e.inquiry_id = i.id
                  AND e.type = 'inquiry.created'))
                + (SELECT COUNT(*) FROM raw_items r WHERE NOT EXISTS
                  (SELECT 1 FROM inquiries i WHERE i.raw_id = r.id))
              """) ?? -1,
          try String.fetchOne(db, sql: "PRAGMA integrity_check")
        )
      }
      #expect(integrity == "ok")
      #expect(orphans == 0, "\(file)")
      counts.append(inquiries)
    }
    // Each a moment later than the one before, none of them the end.
    #expect(counts == counts.sorted(), "\(counts)")
    #expect(counts.allSatisfy { $0 >= 1 && $0 < total }, "\(counts) of \(total)")
  }

  @Test("restored over a new database (a reinstall that started first), ids still jump")
  func restoreOverNewDatabase() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    for n in 1...3 { #expect(try await daemon.submitLead(n) == String(n)) }
    let backup = daemon.folder.appendingPathComponent("nightly.sqlite").path
    #expect(try daemon.cli(["backup", backup]).status == 0)
    for n in 4...5 { #expect(try await daemon.submitLead(n) == String(n)) }
    #expect(daemon.stop() == 0)

    // The disk is replaced; the reinstalled service starts on a new database and takes a lead.
    for suffix in ["", "-wal", "-shm", ".lock"] {
      try? FileManager.default.removeItem(atPath: daemon.databasePath + suffix)
    }
    try await daemon.start()
    #expect(try await daemon.submitLead(6) == "1")
    #expect(daemon.stop() == 0)
    try? FileManager.default.removeItem(atPath: daemon.databasePath + ".lock")
    let asRoot = geteuid() == 0
    if asRoot { #expect(chown(daemon.databasePath, 4242, 4243) == 0) }

    // Its ids (1) say nothing of the 4 and 5 the CRM saw: they jump as for a dead disk.
    let restored = try daemon.cli(["restore", backup])
    #expect(restored.status == 0, "\(restored.error)")
    #expect(restored.output.contains("not this backup's continuation"), "\(restored.output)")
    if asRoot {
      // The lock file the restore made is the service user's, as the database is.
      var lock = stat()
      #expect(stat(daemon.databasePath + ".lock", &lock) == 0)
      #expect(lock.st_uid == 4242 && lock.st_gid == 4243)
      #expect(chown(daemon.databasePath + ".lock", 0, 0) == 0)
    }
    // Restored again within the second: the first set-aside database is not overwritten.
    #expect(try daemon.cli(["restore", backup]).status == 0)
    let kept = try Self.replacedFiles(daemon)
    #expect(kept.count == 2, "\(kept)")
    // The lead the new database took is in one of them.
    let held = try kept.filter { name in
      let queue = try DatabaseQueue(path: name)
      defer { try? queue.close() }
      return try queue.read { db in
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inquiries") == 1
      }
    }
    #expect(held.count == 1, "\(kept)")

    try await daemon.start()
    #expect(try await daemon.submitLead(7) == "1000004")
  }

  @Test("a file that is no inlet database, or a damaged one, is refused and changes nothing")
  func wrongFiles() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    #expect(try await daemon.submitLead(1) == "1")
    #expect(daemon.stop() == 0)
    let text = daemon.folder.appendingPathComponent("notes.txt").path
    try Data("не база".utf8).write(to: URL(fileURLWithPath: text))
    let other = daemon.folder.appendingPathComponent("other.sqlite").path
    let queue = try DatabaseQueue(path: other)
    try queue.inDatabase { db in
      try db.execute(sql: "CREATE TABLE t (x)")
    }
    let damaged = daemon.folder.appendingPathComponent("damaged.sqlite").path
    #expect(try daemon.cli(["backup", damaged]).status == 0)
    // Overwrite a page in the middle of the file.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: damaged))
    try handle.seek(toOffset: 8192)
    try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
    try handle.close()
    let cases: [(String, String)] = [
      (text, "cannot be read as an SQLite database"),
      (other, "not an inlet database"),
      (damaged, "damaged"),
      (daemon.folder.appendingPathComponent("missing.sqlite").path, "does not exist"),
    ]
    for (file, reason) in cases {
      let refused = try daemon.cli(["restore", file])
      #expect(refused.status == 1, "\(file)")
      #expect(refused.error.contains(reason), "\(file): \(refused.error)")
    }
    // The database was not touched: the lead is there, nothing was moved aside.
    let folder = (daemon.databasePath as NSString).deletingLastPathComponent
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder)
        .allSatisfy { !$0.contains("replaced") && !$0.contains("restoring") })
    try await daemon.start()
    #expect(try await daemon.get("/api/v1/inquiries/1", token: daemon.readToken).0 == 200)
  }

  @Test("a restore waits for no command: refused while one uses the database, and the reverse")
  func restoreBesideWriters() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    #expect(try await daemon.submitLead(1) == "1")
    let backup = daemon.folder.appendingPathComponent("nightly.sqlite").path
    #expect(try daemon.cli(["backup", backup]).status == 0)
    #expect(daemon.stop() == 0)
    let writers = daemon.databasePath + ".writers"
    let clients = daemon.folder.appendingPathComponent("clients.jsonl").path
    try Data(#"{"id":"c1","name":"ООО Ромашка","domains":["romashka.ru"]}"#.utf8)
      .write(to: URL(fileURLWithPath: clients))

    // A command writing (an import, as the lock it holds says): the restore is refused.
    let descriptor = open(writers, O_RDONLY | O_CREAT, 0o644)
    #expect(descriptor >= 0)
    defer { close(descriptor) }
    #expect(flock(descriptor, LOCK_SH) == 0)
    let refused = try daemon.cli(["restore", backup])
    #expect(refused.status == 1)
    #expect(refused.error.contains("a command is using the database"), "\(refused.error)")
    #expect(try Self.replacedFiles(daemon).isEmpty)
    // Another writer beside it is fine: shared.
    let imported = try daemon.cli(["directory", "import", "--kind", "clients", clients])
    #expect(imported.status == 0, "\(imported.error)")

    // A restore running (its lock): a command that would write is refused, not left writing
    // into the file the restore moves aside.
    #expect(flock(descriptor, LOCK_UN) == 0)
    #expect(flock(descriptor, LOCK_EX) == 0)
    let blocked = try daemon.cli(["directory", "import", "--kind", "clients", clients])
    #expect(blocked.status != 0)
    #expect(blocked.error.contains("`inlet restore` is replacing"), "\(blocked.error)")
    // So are the commands that only read: their last close would delete the log files of a
    // daemon started after the restore.
    let copy = daemon.folder.appendingPathComponent("during.sqlite").path
    let backingUp = try daemon.cli(["backup", copy])
    #expect(backingUp.status != 0)
    #expect(backingUp.error.contains("`inlet restore` is replacing"), "\(backingUp.error)")
    #expect(!FileManager.default.fileExists(atPath: copy))
    let listing = try daemon.cli(["inquiries", "list"])
    #expect(listing.status != 0)
    #expect(listing.error.contains("`inlet restore` is replacing"), "\(listing.error)")
    #expect(flock(descriptor, LOCK_UN) == 0)
    #expect(try daemon.cli(["restore", backup]).status == 0)
  }
}
