import Foundation
import InletStore

#if canImport(Glibc)
  import Glibc
#endif

/// Opens the database for a command that writes it beside the daemon (`inlet directory import`,
/// `inlet replay`, `inlet poll`). Such a command never changes the schema under a running
/// daemon: a file a newer version migrated is refused; one this version still has to migrate
/// is migrated only while no `inlet serve` holds `<database>.lock` (an upgrade restarts the
/// daemon first, and the daemon migrates).
public struct WritingCommand {
  /// The opened database.
  public let database: InletDatabase
  /// The lock, held while the command runs when it asked for the database alone.
  private let lock: DatabaseLock?

  /// - Parameter alone: the command must not run beside the daemon (`inlet poll`: the daemon
  ///   polls the same mailboxes); it holds the lock until it is released.
  public init(path: String, settings: DirectorySettings, alone: Bool = false) throws {
    var database = try InletDatabase(path: path)
    database.directorySettings = settings
    if try database.isSuperseded() {
      throw ServerError(
        "the database at \(path) was migrated by a newer version of inlet; use that version")
    }
    let lock = try? DatabaseLock(databasePath: path)
    if lock == nil {
      if alone {
        throw ServerError(
          "`inlet serve` is running on the database \(path) and does this itself; stop it "
            + "first (`systemctl stop inlet`)")
      }
      guard try database.isMigrated() else {
        throw ServerError(
          "a running `inlet serve` of an older version uses the database \(path); restart it "
            + "with this version first (`systemctl restart inlet`), which migrates it")
      }
    } else {
      try database.migrate()
    }
    self.database = database
    self.lock = alone ? lock : nil
  }
}
