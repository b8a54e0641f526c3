import ArgumentParser
import Foundation
import InletCore
import InletDaemon
import InletStore

struct Inquiries: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Read the lead queue (works while the daemon runs).",
    subcommands: [List.self, Show.self])

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List inquiries, oldest first (new: as they entered the queue).")

    @OptionGroup var options: ConfigOption
    @Option(help: "new, accepted, rejected, merged, ignored, quarantined or all.")
    var status: String = "new"
    @Option(help: "At most this many entries.") var limit: Int = 1000
    @Flag(help: "Print {\"items\": [...]} as JSON.") var json = false

    func run() throws {
      guard let filter = ListFilter(rawValue: status) else {
        throw fail(
          "--status must be one of: \(ListFilter.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      guard (1...10_000_000).contains(limit) else {
        throw fail("--limit must be a number from 1 to 10000000")
      }
      let database = try openDatabase(options.config)
      var items = try database.listSync(filter, limit: limit + 1)
      let cut = items.count > limit
      if cut {
        items.removeLast(items.count - limit)
        // On standard error, so `--json` output stays one document.
        FileHandle.standardError.write(
          Data("inlet: the first \(limit) entries are shown; --limit for more\n".utf8))
      }
      if json {
        struct Page: Encodable { var items: [Inquiry] }
        print(
          String(
            decoding: try InquiryJSON.encoder(pretty: true).encode(Page(items: items)),
            as: UTF8.self))
        return
      }
      if items.isEmpty {
        print("no \(status == "all" ? "" : status + " ")inquiries")
        return
      }
      for item in items { print(InquiryText.line(item)) }
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one inquiry.")

    @OptionGroup var options: ConfigOption
    @Argument(help: "The inquiry id (or r<raw id> for an ignored or quarantined item).")
    var id: String
    @Flag(help: "Print the inquiry JSON.") var json = false

    func run() throws {
      let database = try openDatabase(options.config)
      guard let inquiry = try database.inquirySync(id: id) else {
        throw fail("no inquiry with id \(id)")
      }
      if json {
        print(
          String(decoding: try InquiryJSON.encoder(pretty: true).encode(inquiry), as: UTF8.self))
      } else {
        print(InquiryText.details(inquiry))
      }
    }
  }
}

/// Opens the configured database for reading. A missing file is an error, not a new empty
/// database: a mistyped `database.path` must not look like an empty queue. Reading migrates
/// nothing (a newer binary must not change the schema under a daemon still running the old
/// one): a file not yet migrated to this version is an error too.
func openDatabase(_ configPath: String) throws -> InletDatabase {
  let path: String
  do {
    path = try ConfigLoader.asTheService(configPath: configPath).databasePath(
      configPath: configPath)
  } catch {
    throw fail("config error: \(error)")
  }
  guard FileManager.default.fileExists(atPath: path) else {
    // Under the service's dynamic user the state folder is not open to others.
    if access(path, F_OK) != 0, errno == EACCES {
      throw fail("cannot open \(path): permission denied (the service's own folder); use sudo")
    }
    throw fail(
      "no database at \(path) (database.path in \(configPath)); `inlet serve` creates it")
  }
  // Held while the command reads: a restore does not move the file aside under it.
  do {
    try WritersLock.holdForProcess(databasePath: path)
  } catch {
    throw fail("\(error)")
  }
  let database = try InletDatabase(path: path)
  guard try database.isMigrated() else {
    throw fail(
      "the database at \(path) is from an older version of inlet; restart `inlet serve` (this "
        + "version) to migrate it, then read it")
  }
  return database
}
