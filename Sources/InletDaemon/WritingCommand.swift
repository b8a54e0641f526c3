import Foundation
import InletStore

/// Opens the database for the daemon or a command that writes it (`inlet directory import`,
/// `inlet replay`, `inlet poll`), never changing the schema under a running daemon: a file a
/// newer version migrated is refused; one this version still has to migrate is migrated only
/// by whoever holds `<database>.lock` (an upgrade restarts the daemon, and the daemon migrates).
public struct WritingCommand {
  /// The opened database.
  public let database: InletDatabase
  /// The lock, held for the command's lifetime when it asked for the database alone.
  private let lock: DatabaseLock?

  /// - Parameters:
  ///   - alone: the process must not run beside another that holds the lock (`inlet serve`;
  ///     `inlet poll`, since the daemon polls the same mailboxes): it holds the lock itself.
  ///   - whenHeld: what to say when `alone` and the lock is held; `nil` says the lock's own.
  public init(
    path: String, settings: DirectorySettings, alone: Bool = false, whenHeld: String? = nil
  ) throws {
    var database = try InletDatabase(path: path)
    database.directorySettings = settings
    if try database.isSuperseded() {
      throw ServerError(
        "the database at \(path) was migrated by a newer version of inlet "
          + "(\(try database.appliedMigrations().last ?? "?")); use that version")
    }
    var lock: DatabaseLock?
    do {
      lock = try DatabaseLock(databasePath: path)
    } catch let held as DatabaseLock.Held {
      if alone { throw whenHeld.map { ServerError($0) } ?? ServerError(held.description) }
      guard try database.isMigrated() else {
        throw ServerError(
          "a running `inlet serve` of an older version uses the database \(path); restart it "
            + "with this version first (`systemctl restart inlet`), which migrates it")
      }
    }
    if lock != nil { try database.migrate() }
    self.database = database
    self.lock = alone ? lock : nil
  }
}
