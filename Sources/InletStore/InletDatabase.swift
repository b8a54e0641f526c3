import Foundation
import GRDB
import Logging
import Metrics
import Synchronization

/// The one SQLite file: raw journal, lead queue, directory and IMAP cursors.
///
/// Its write methods are the invariant-preserving transactions (a raw item and its inquiry in one
/// commit); concurrent writers share commits through the group committer.
public struct InletDatabase: Sendable {
  let pool: DatabasePool
  let committer: GroupCommitter
  let checkpoints: LogCheckpoints
  private let stats: Stats
  /// How directory values are normalised and inquiries matched (config `phone:`, `matching:`).
  public var directorySettings = DirectorySettings()

  final class Stats: Sendable {
    let commits = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
  }

  /// The size the write-ahead log's file is cut back to when the log starts over.
  static let logSizeLimit = 64 << 20

  /// Opens (creating if needed) the database at `path` in WAL mode with `synchronous=FULL`, so
  /// a committed write survives a power loss, not only a crash of the process.
  public init(path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    }
    var configuration = Configuration()
    // Another process's write (a CLI command) is waited for up to 10 s, asking again every
    // millisecond: SQLite's own timeout sleeps longer and longer (100 ms at a time once it has
    // waited a while), and so rarely catches the moment between two transactions of a command
    // that writes one after another (`inlet directory import`).
    configuration.busyMode = .callback { tries in
      guard tries < 10_000 else { return false }
      usleep(1_000)
      return true
    }
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
      // A batch of letters is megabytes: with SQLite's default 2 MB page cache a transaction
      // spills dirty pages to the WAL again and again before its commit.
      try db.execute(sql: "PRAGMA cache_size = -16384")
      // The log file is cut back to this size when it starts over: a large import or a first
      // sync of a big mailbox does not leave a log of its peak size on the disk for good.
      try db.execute(sql: "PRAGMA journal_size_limit = \(Self.logSizeLimit)")
    }
    let pool = try DatabasePool(path: path, configuration: configuration)
    // GRDB turns the writer to `synchronous = NORMAL` when it sets up WAL mode, after
    // `prepareDatabase` ran: NORMAL does not sync the log at each commit, so an acknowledged
    // lead would survive a crash of the process but not of the machine. FULL again, here.
    try pool.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA synchronous = FULL")
    }
    let stats = Stats()
    self.pool = pool
    self.stats = stats
    let commits = Counter(label: "inlet_store_commits_total")
    let writes = Counter(label: "inlet_store_writes_total")
    let checkpoints = LogCheckpoints()
    self.checkpoints = checkpoints
    self.committer = GroupCommitter(writer: pool, checkpoints: checkpoints) { count in
      stats.commits.add(1, ordering: .relaxed)
      stats.writes.add(count, ordering: .relaxed)
      commits.increment()
      writes.increment(by: count)
    }
  }

  /// Applies every migration not yet applied.
  public func migrate() throws {
    try Migrations.migrator.migrate(pool)
  }

  /// Applies migrations up to and including `name` (tests of upgrades from older files).
  public func migrate(upTo name: String) throws {
    try Migrations.migrator.migrate(pool, upTo: name)
  }

  /// The migrations applied to the file.
  public func appliedMigrations() throws -> [String] {
    try pool.read { db in try Migrations.migrator.appliedMigrations(db) }
  }

  /// Whether a newer version of inlet migrated the file (it holds migrations this one does not
  /// know): this version must not write it.
  public func isSuperseded() throws -> Bool {
    try pool.read { db in
      guard try db.tableExists("grdb_migrations") else { return false }
      let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
      return !applied.subtracting(Migrations.names).subtracting(Migrations.mergedNames).isEmpty
    }
  }

  /// Whether every migration of this version ran.
  public func isMigrated() throws -> Bool {
    try pool.read { db in try Migrations.migrator.hasCompletedMigrations(db) }
  }

  /// Transactions committed and writes they carried since the database was opened.
  public var commitStats: (commits: Int, writes: Int) {
    (stats.commits.load(ordering: .relaxed), stats.writes.load(ordering: .relaxed))
  }

  /// Runs a write in the next group commit.
  public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws
    -> T
  {
    try await committer.write(body)
  }

  /// Reads from a consistent snapshot.
  public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws
    -> T
  {
    try await pool.read(body)
  }

  /// A synchronous read, for the CLI.
  public func readSync<T>(_ body: (Database) throws -> T) throws -> T {
    try pool.read(body)
  }

  /// Checks that writes go through: an empty transaction through the group committer, so the
  /// probe waits its turn among the ingests (under load the writer queue is never idle, and a
  /// probe that needs it alone would wait for a pause) and proves commits still flow.
  public func probeWritable() async throws {
    try await committer.write { db in try db.execute(sql: "PRAGMA user_version") }
  }
}
