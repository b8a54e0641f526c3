import Foundation
import GRDB

/// What a backup or a restore wrote: the counts an administrator checks and the ids the file
/// continues from.
public struct BackupSummary: Sendable, Equatable {
  /// Inquiries and raw items in the file.
  public var inquiries: Int
  public var rawItems: Int
  /// The last id each table has given (`sqlite_sequence`): the next is one more.
  public var lastIDs: [String: Int64]
  /// The file's size in bytes.
  public var bytes: Int64
}

/// What ``InletDatabase/restore(from:into:advance:now:)`` did.
public struct RestoreSummary: Sendable, Equatable {
  /// The restored database, as it now is.
  public var restored: BackupSummary
  /// The database it replaced, moved aside under this name (nil: there was none).
  public var replacedPath: String?
  /// Whether the replaced database's ids could be read (they are carried over).
  public var replacedIDsRead: Bool
  /// Whether the replaced database is the backup's own continuation (its ids at least the
  /// backup's, the backup's newest raw item in it as it was). One that is not — an empty
  /// database a reinstalled daemon made before the restore — says nothing of the ids given
  /// out after the backup, so the ids jump as when it cannot be read.
  public var replacedDescends: Bool
  /// How far past the larger of the backup's and the replaced database's ids each table
  /// continues.
  public var advance: Int64
}

/// Why a backup or a restore was refused.
public struct BackupError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}

extension InletDatabase {
  /// The tables whose ids leave the database (inquiry, raw item, event and delivery ids are in
  /// the API, the event stream and `X-Inlet-Delivery`): a restored file must never give one of
  /// them out again.
  static let sequencedTables = [
    "raw_items", "inquiries", "inquiry_messages", "attachments", "events", "deliveries",
  ]

  /// When the replaced database cannot be read, ids continue this far past the backup's: more
  /// than any daemon gives out between two nightly backups, small beside 2⁶³.
  public static let unknownIDsAdvance: Int64 = 1_000_000

  /// Copies the database as it is at one moment (one read transaction: the daemon keeps
  /// writing) to a new, self-contained file at `path` (no `-wal` beside it). The copy is
  /// written beside `path` and renamed into place once synced, so `path` is never half a
  /// database; an existing `path` is refused.
  public func backup(to path: String) throws -> BackupSummary {
    guard !FileManager.default.fileExists(atPath: path) else {
      throw BackupError("\(path) exists; name a new file (a backup never overwrites one)")
    }
    let partial = path + ".partial"
    try? FileManager.default.removeItem(atPath: partial)
    // Leads are personal data: the copy is its owner's alone from its first byte, whatever
    // the umask (SQLite opens the empty file as an empty database).
    let created = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard created >= 0 else {
      throw BackupError("cannot create \(partial): \(String(cString: strerror(errno)))")
    }
    close(created)
    do {
      let destination = try DatabaseQueue(path: partial)
      try pool.backup(to: destination)
      // The copy has the source's WAL mode: one file is what an administrator copies away.
      try destination.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA journal_mode = DELETE")
      }
      try destination.close()
      try Self.sync(path: partial)
    } catch {
      try? FileManager.default.removeItem(atPath: partial)
      throw error
    }
    // `link` then `unlink`: a file that appeared at `path` meanwhile is not replaced. A file
    // system without hard links (vfat, many SMB shares): a rename after a last look.
    if link(partial, path) == 0 {
      unlink(partial)
    } else {
      let linkError = errno
      let noLinks = [EPERM, ENOTSUP, EOPNOTSUPP, ENOSYS, EMLINK].contains(linkError)
      guard noLinks, !FileManager.default.fileExists(atPath: path), rename(partial, path) == 0
      else {
        let reason = String(cString: strerror(noLinks ? errno : linkError))
        try? FileManager.default.removeItem(atPath: partial)
        throw BackupError("cannot create \(path): \(reason)")
      }
    }
    try Self.syncDirectory(of: path)
    return try Self.summary(ofFile: path)
  }

  /// Replaces the database at `path` (the daemon stopped: the caller holds its lock) with the
  /// backup at `backup`, checked first (an SQLite file that passes `quick_check` and was
  /// written by this version or an earlier one).
  ///
  /// Ids never repeat: each table continues after the larger of the backup's and the replaced
  /// database's last ids, plus `advance`. When the replaced database is missing or unreadable
  /// (a failed disk), or is not the backup's continuation (an empty one a reinstalled daemon
  /// made), its ids say nothing and `advance` defaults to ``unknownIDsAdvance`` (0
  /// otherwise): a CRM that has seen ids given out after the backup never sees them again for
  /// other inquiries or deliveries. The replaced files (with their `-wal` and `-shm`) are moved
  /// aside as `<path>.replaced-<time>` (never over an earlier one), not deleted; `path` names
  /// a database at every moment of the swap.
  public static func restore(
    from backup: String, into path: String, advance: Int64? = nil, now: Date = Date()
  ) throws -> RestoreSummary {
    guard FileManager.default.fileExists(atPath: backup) else {
      throw BackupError("\(backup) does not exist")
    }
    try check(backup: backup)
    let fileManager = FileManager.default
    let (backupIDs, backupNewest) = try {
      let queue = try DatabaseQueue(path: backup, configuration: readOnly)
      defer { try? queue.close() }
      return try queue.read { db in (try lastIDs(in: db), try newestRawItem(in: db)) }
    }()
    let replaced =
      fileManager.fileExists(atPath: path)
      ? try? state(ofFile: path, rawID: backupNewest?.id) : nil
    let replacedIDs = replaced?.ids
    let descends =
      replaced.map { replaced in
        sequencedTables.allSatisfy { (replaced.ids[$0] ?? 0) >= (backupIDs[$0] ?? 0) }
          && replaced.rawItem == backupNewest
      } ?? false
    let advance = advance ?? (descends ? 0 : unknownIDsAdvance)
    guard advance >= 0 else { throw BackupError("--advance must be 0 or more") }

    let incoming = path + ".restoring"
    for suffix in ["", "-wal", "-shm", "-journal"] {
      try? fileManager.removeItem(atPath: incoming + suffix)
    }
    do {
      let source = try DatabaseQueue(path: backup, configuration: readOnly)
      let destination = try DatabaseQueue(path: incoming)
      try source.backup(to: destination)
      try source.close()
      try destination.inDatabase { db in
        try db.execute(sql: "PRAGMA journal_mode = DELETE")
        let restored = try lastIDs(in: db)
        for table in sequencedTables where try db.tableExists(table) {
          let last = max(restored[table] ?? 0, replacedIDs?[table] ?? 0) + advance
          try db.execute(
            sql: "UPDATE sqlite_sequence SET seq = ? WHERE name = ?", arguments: [last, table])
          if db.changesCount == 0 {
            try db.execute(
              sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
              arguments: [table, last])
          }
        }
      }
      try destination.close()
      try takeOwnership(of: incoming, from: path)
      try sync(path: incoming)
    } catch {
      try? fileManager.removeItem(atPath: incoming)
      throw error
    }

    var replacedPath: String?
    if fileManager.fileExists(atPath: path) {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyyMMdd-HHmmss"
      let stamp = path + ".replaced-" + formatter.string(from: now)
      // Two restores within a second: the first one's set-aside file stays.
      var aside = stamp
      var number = 1
      while ["", "-wal", "-shm"].contains(where: { fileManager.fileExists(atPath: aside + $0) }) {
        number += 1
        aside = stamp + "-\(number)"
      }
      // The database file is linked aside and replaced by one rename, so `path` is never
      // missing (a stop halfway leaves the old database, not none); its log goes with it.
      let linked = link(path, aside) == 0
      let moved = linked ? ["-wal", "-shm"] : ["", "-wal", "-shm"]
      for suffix in moved where fileManager.fileExists(atPath: path + suffix) {
        guard rename(path + suffix, aside + suffix) == 0 else {
          let reason = String(cString: strerror(errno))
          throw BackupError("cannot move \(path + suffix) aside: \(reason)")
        }
      }
      replacedPath = aside
    } else {
      // A `-wal` left without its database belongs to no file now.
      for suffix in ["-wal", "-shm"] { try? fileManager.removeItem(atPath: path + suffix) }
    }
    guard rename(incoming, path) == 0 else {
      let reason = String(cString: strerror(errno))
      throw BackupError("cannot move the restored database into \(path): \(reason)")
    }
    try syncDirectory(of: path)
    return RestoreSummary(
      restored: try summary(ofFile: path), replacedPath: replacedPath,
      replacedIDsRead: replacedIDs != nil, replacedDescends: descends, advance: advance)
  }

  /// Refuses a file that is not an intact inlet database of this version or an earlier one.
  static func check(backup: String) throws {
    let queue: DatabaseQueue
    do {
      queue = try DatabaseQueue(path: backup, configuration: readOnly)
    } catch {
      throw BackupError("\(backup) cannot be read as an SQLite database: \(error)")
    }
    defer { try? queue.close() }
    try queue.read { db in
      let verdict: String?
      do {
        verdict = try String.fetchOne(db, sql: "PRAGMA quick_check")
      } catch {
        throw BackupError("\(backup) is not an SQLite database: \(error)")
      }
      guard verdict == "ok" else {
        throw BackupError("\(backup) is damaged (quick_check: \(verdict ?? "no answer"))")
      }
      guard try db.tableExists("grdb_migrations"), try db.tableExists("inquiries") else {
        throw BackupError("\(backup) is not an inlet database (no inquiries, no migrations)")
      }
      let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
      let unknown = applied.subtracting(Migrations.names).subtracting(Migrations.mergedNames)
      guard unknown.isEmpty else {
        throw BackupError(
          "\(backup) was written by a newer inlet (migrations \(unknown.sorted().joined(separator: ", "))"
            + " are unknown to this one); restore it with that version")
      }
    }
  }

  static var readOnly: Configuration {
    var configuration = Configuration()
    configuration.readonly = true
    return configuration
  }

  static func lastIDs(in db: Database) throws -> [String: Int64] {
    guard try db.tableExists("sqlite_sequence") else { return [:] }
    let rows = try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence")
    var ids: [String: Int64] = [:]
    for row in rows {
      let name: String = row["name"]
      ids[name] = max(ids[name] ?? 0, row["seq"] ?? 0)
    }
    return ids
  }

  /// A raw item as a restore compares it: the backup's newest must be in the database it
  /// replaces, unchanged, for that one to be the backup's continuation.
  struct RawItemIdentity: Equatable {
    var id: Int64
    var channel: String
    var receivedAt: String
  }

  private static let rawItemColumns = """
    SELECT id, channel, CAST(received_at AS TEXT) AS received_at FROM raw_items
    """

  static func newestRawItem(in db: Database) throws -> RawItemIdentity? {
    try rawItem(in: db, sql: "\(rawItemColumns) ORDER BY id DESC LIMIT 1")
  }

  private static func rawItem(
    in db: Database, sql: String, arguments: StatementArguments = []
  ) throws -> RawItemIdentity? {
    try Row.fetchOne(db, sql: sql, arguments: arguments).map {
      RawItemIdentity(
        id: $0["id"], channel: $0["channel"], receivedAt: $0["received_at"])
    }
  }

  /// The last ids of the database at `path` and its raw item `rawID` (read with its `-wal`:
  /// opened read-write, as a read-only connection cannot read a log another process left).
  static func state(ofFile path: String, rawID: Int64?) throws -> (
    ids: [String: Int64], rawItem: RawItemIdentity?
  ) {
    let queue = try DatabaseQueue(path: path)
    defer { try? queue.close() }
    return try queue.read { db in
      _ = try String.fetchOne(db, sql: "PRAGMA quick_check")
      let item = try rawID.flatMap { id in
        try rawItem(
          in: db,
          sql:
            "\(rawItemColumns) WHERE id = ?",
          arguments: [id])
      }
      return (try lastIDs(in: db), item)
    }
  }

  static func summary(ofFile path: String) throws -> BackupSummary {
    let queue = try DatabaseQueue(path: path, configuration: readOnly)
    defer { try? queue.close() }
    let (inquiries, rawItems, ids) = try queue.read { db in
      (
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inquiries") ?? 0,
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM raw_items") ?? 0,
        try lastIDs(in: db).filter { sequencedTables.contains($0.key) }
      )
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)
    return BackupSummary(
      inquiries: inquiries, rawItems: rawItems, lastIDs: ids, bytes: size?.int64Value ?? 0)
  }

  /// Gives the restored file the owner and mode of the database it replaces (else the owner of
  /// its folder, mode 0600): an administrator restores as root, and the daemon runs as its own
  /// user (`DynamicUser=`), which must be able to write the file.
  static func takeOwnership(of file: String, from path: String) throws {
    var reference = stat()
    let mode: mode_t
    if stat(path, &reference) == 0 {
      mode = reference.st_mode & 0o777
    } else {
      let folder = (path as NSString).deletingLastPathComponent
      guard stat(folder.isEmpty ? "." : folder, &reference) == 0 else { return }
      mode = 0o600
    }
    var current = stat()
    guard stat(file, &current) == 0 else {
      throw BackupError("cannot read \(file): \(String(cString: strerror(errno)))")
    }
    if current.st_uid != reference.st_uid || current.st_gid != reference.st_gid {
      guard chown(file, reference.st_uid, reference.st_gid) == 0 else {
        throw BackupError(
          "cannot give the restored database to user \(reference.st_uid), who owns \(path) "
            + "(\(String(cString: strerror(errno)))); restore as root or as that user")
      }
    }
    guard chmod(file, mode) == 0 else {
      throw BackupError("cannot set the mode of \(file): \(String(cString: strerror(errno)))")
    }
  }

  static func sync(path: String) throws {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw BackupError("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw BackupError("cannot sync \(path): \(String(cString: strerror(errno)))")
    }
  }

  static func syncDirectory(of path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try sync(path: directory.isEmpty ? "." : directory)
  }
}
