import ArgumentParser
import Foundation
import InletDaemon
import InletStore

struct Backup: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Copy the database, as of one moment, to a new file; the daemon may keep running.",
    discussion: """
      The copy is one self-contained SQLite file (no -wal beside it), written beside FILE and
      renamed into place once synced; an existing FILE is refused. Restore it with
      `inlet restore FILE`.
      """)

  @OptionGroup var options: ConfigOption
  @Argument(help: "The new backup file.") var file: String

  func run() async throws {
    let path = try databasePath(options)
    guard FileManager.default.fileExists(atPath: path) else {
      if access(path, F_OK) != 0, errno == EACCES {
        throw fail("cannot open \(path): permission denied (the service's own folder); use sudo")
      }
      throw fail("no database at \(path): nothing to back up")
    }
    let summary: BackupSummary
    do {
      // Shared with the daemon; a restore waits for the copy (and is refused meanwhile).
      try WritersLock.holdForProcess(databasePath: path)
      let database = try InletDatabase(path: path)
      summary = try database.backup(to: file)
    } catch {
      throw fail("backup failed: \(error)")
    }
    print("backed up \(path) to \(file): \(describe(summary))")
  }
}

struct Restore: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Replace the database with a backup (stop the daemon first).",
    discussion: """
      The backup is checked (an intact inlet database of this version or an earlier one), the
      database it replaces is moved aside as <database>.replaced-<time>, and ids never repeat:
      inquiries, raw items, events and deliveries continue after the larger of the backup's
      ids and the replaced database's, so a CRM that saw ids given out after the backup is
      never sent one of them again. When the replaced database is missing or unreadable its
      ids are unknown and they continue 1,000,000 past the backup's (--advance to choose).
      Start the daemon afterwards: letters still in the mailboxes since the backup are fetched
      again (the IMAP cursors are the backup's); webhooks since then are not.
      """)

  @OptionGroup var options: ConfigOption
  @Argument(help: "The backup file (from `inlet backup`).") var file: String
  @Option(
    help: "Continue ids this far past the larger of the backup's and the replaced database's.")
  var advance: Int64?

  func run() async throws {
    let path = try databasePath(options)
    let summary: RestoreSummary
    do {
      summary = try DatabaseRestore.run(backup: file, databasePath: path, advance: advance)
    } catch {
      throw fail("restore refused: \(error)")
    }
    print("restored \(file) into \(path): \(describe(summary.restored))")
    if let replaced = summary.replacedPath {
      print("the replaced database was kept as \(replaced)")
    }
    if !summary.replacedIDsRead {
      print(
        "the replaced database's ids could not be read: ids continue \(summary.advance) past "
          + "the backup's")
    } else if !summary.replacedDescends {
      print(
        "the replaced database is not this backup's continuation (a new one, or another's): "
          + "its ids say nothing of those given out after the backup, so ids continue "
          + "\(summary.advance) past the larger of the two")
    } else if summary.advance > 0 {
      print("ids continue \(summary.advance) past the replaced database's")
    }
  }
}

/// The configured database file (the config without its secrets: neither command needs them).
private func databasePath(_ options: ConfigOption) throws -> String {
  do {
    let (config, file) = try ConfigLoader.asTheService(configPath: options.config).decode(
      path: options.config)
    return ConfigLoader.databasePath(config, file: file)
  } catch {
    throw fail("config error: \(error)")
  }
}

private func describe(_ summary: BackupSummary) -> String {
  let ids = ["inquiries", "raw_items", "events", "deliveries"].map {
    "\($0) \(summary.lastIDs[$0] ?? 0)"
  }
  return "\(summary.inquiries) inquiries, \(summary.rawItems) raw items, "
    + ByteCountFormatter.string(fromByteCount: summary.bytes, countStyle: .file)
    + "; last ids: " + ids.joined(separator: ", ")
}
