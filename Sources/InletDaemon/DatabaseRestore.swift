import Foundation
import InletStore

/// `inlet restore`: the store's restore under the daemon's lock, so it never replaces a
/// database a running `inlet serve` (or `inlet poll`) has open.
public enum DatabaseRestore {
  public static func run(
    backup: String, databasePath: String, advance: Int64?
  ) throws -> RestoreSummary {
    let lock: DatabaseLock
    do {
      lock = try DatabaseLock(databasePath: databasePath)
    } catch let held as DatabaseLock.Held {
      throw ServerError(
        held.description.replacingOccurrences(
          of: "stop it first", with: "stop it first (systemctl stop inlet), then restore"))
    }
    let writers = try WritersLock(databasePath: databasePath, exclusive: true)
    return try withExtendedLifetime((lock, writers)) {
      let summary = try InletDatabase.restore(
        from: backup, into: databasePath, advance: advance)
      // A lock file this command created (as root) must stay the daemon's to open.
      var owner = stat()
      if stat(databasePath, &owner) == 0 {
        _ = chown(databasePath + ".lock", owner.st_uid, owner.st_gid)
      }
      return summary
    }
  }
}
