import Foundation
import InletStore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Opens the database for the daemon or a command that writes it (`inlet directory import`,
/// `inlet replay`, `inlet poll`), never changing the schema under a running daemon: a file a
/// newer version migrated is refused; one this version still has to migrate is migrated only
/// by whoever holds `<database>.lock` (an upgrade restarts the daemon, and the daemon migrates).
public struct WritingCommand {
  /// The opened database.
  public let database: InletDatabase
  /// The lock, held for the command's lifetime when it asked for the database alone.
  private let lock: DatabaseLock?
  /// Whether another process (a running daemon) held the lock when the database was opened:
  /// a command that writes for long then leaves it moments between its transactions.
  public let besideDaemon: Bool

  /// - Parameters:
  ///   - alone: the process must not run beside another that holds the lock (`inlet serve`;
  ///     `inlet poll`, since the daemon polls the same mailboxes): it holds the lock itself.
  ///   - whenHeld: what to say when `alone` and the lock is held; `nil` says the lock's own.
  ///   - migrating: called before this process migrates a file an older version wrote, with
  ///     the number of migrations to apply (an upgrade may take a while on a big file).
  public init(
    path: String, settings: DirectorySettings, alone: Bool = false, whenHeld: String? = nil,
    migrating: ((Int) -> Void)? = nil
  ) throws {
    // This process's share of `<database>.writers`, for its lifetime: `inlet restore` does not
    // replace the file under it (the database outlives this value).
    try WritersLock.holdForProcess(databasePath: path)
    var database: InletDatabase
    do {
      database = try InletDatabase(path: path)
    } catch {
      throw Self.cannotOpen(path, error)
    }
    database.directorySettings = settings
    if try database.isSuperseded() {
      throw ServerError(
        "the database at \(path) was migrated by a newer version of inlet "
          + "(\(try database.appliedMigrations().last ?? "?")); use that version")
    }
    var lock: DatabaseLock?
    var besideDaemon = false
    do {
      lock = try DatabaseLock(databasePath: path)
    } catch let held as DatabaseLock.Held {
      besideDaemon = true
      if alone { throw whenHeld.map { ServerError($0) } ?? ServerError(held.description) }
      guard try database.isMigrated() else {
        throw ServerError(
          "a running `inlet serve` of an older version uses the database \(path); restart it "
            + "with this version first (`systemctl restart inlet`), which migrates it")
      }
    }
    if lock != nil {
      do {
        if let migrating, try !database.isMigrated() {
          let applied = try database.appliedMigrations().count
          if applied > 0 { migrating(Migrations.names.count - applied) }
        }
        try database.migrate()
      } catch {
        throw ServerError(
          "cannot migrate the database \(path): \(Self.reason(path, error)) (database.path)")
      }
    }
    self.database = database
    self.lock = alone ? lock : nil
    self.besideDaemon = besideDaemon
  }

  /// The database at `path` could not be opened: why, in plain words, with the file and the key
  /// to change. SQLite says only "unable to open database file", Foundation dumps its error.
  static func cannotOpen(_ path: String, _ error: any Error) -> ServerError {
    ServerError("cannot open the database \(path): \(reason(path, error)) (database.path)")
  }

  /// The nearest folder above `path` that exists (or the file that stands where one should),
  /// and whether it is a folder; nil when none does.
  static func nearestExistingAncestor(of path: String) -> (path: String, isFolder: Bool)? {
    var ancestor = path
    var isFolder: ObjCBool = false
    while true {
      let up = (ancestor as NSString).deletingLastPathComponent
      if up.isEmpty || up == ancestor { return nil }
      ancestor = up
      if FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder) {
        return (ancestor, isFolder.boolValue)
      }
    }
  }

  /// Why `error` happened to the database at `path`, read from its folder when that explains it
  /// (missing and not creatable, a file, not writable), else the error's own reason.
  static func reason(_ path: String, _ error: any Error) -> String {
    let manager = FileManager.default
    let parent = (path as NSString).deletingLastPathComponent
    let folder = parent.isEmpty ? "." : parent
    var isFolder: ObjCBool = false
    guard manager.fileExists(atPath: folder, isDirectory: &isFolder) else {
      // Not missing but out of reach: the installed service's state folder (a link into
      // /var/lib/private, root's only) seen by another user.
      if access(folder, F_OK) != 0, errno == EACCES {
        return "permission denied on the way to \(folder) (the service's own folder); use sudo"
      }
      // The nearest folder that exists says why this one could not be created.
      let why: String
      if let (ancestor, ancestorIsFolder) = nearestExistingAncestor(of: folder) {
        if !ancestorIsFolder {
          why = "\(ancestor) is a file, not a folder"
        } else if access(ancestor, W_OK | X_OK) != 0 {
          why = "permission denied in \(ancestor)"
        } else {
          why = ErrorText.plain(error)
        }
      } else {
        why = ErrorText.plain(error)
      }
      return "the folder \(folder) does not exist and cannot be created (\(why))"
    }
    if !isFolder.boolValue { return "\(folder) is a file, not a folder" }
    // SQLite creates the file, its write-ahead log and `<database>.lock` beside it.
    if access(folder, W_OK | X_OK) != 0 {
      return "permission denied to create files in \(folder)"
    }
    if manager.fileExists(atPath: path), access(path, R_OK | W_OK) != 0 {
      return "permission denied to read and write it"
    }
    return ErrorText.plain(error)
  }
}

/// `<database>.writers`: every process that opens the database (the daemon, `inlet directory
/// import`, `inlet replay`, `inlet poll`, and the readers `inlet backup`, `inlet inquiries`,
/// `inlet status`) holds a shared lock on it for its lifetime, and `inlet restore` an exclusive
/// one — so a restore never moves the file aside under a command that would go on writing into
/// the old one, or whose last close would delete the log files a daemon started after the
/// restore uses; and no command starts while a restore runs.
public final class WritersLock: Sendable {
  private let descriptor: Int32

  /// nil when the file cannot be opened (a folder the user may not write, a file of another
  /// user's): a shared lock is then not taken, which stops nothing.
  init?(databasePath: String, exclusive: Bool) throws {
    let path = databasePath + ".writers"
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try? FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    }
    // Read-only is enough for flock: the service user opens the file an administrator made.
    var descriptor = open(path, O_RDONLY | O_CLOEXEC)
    if descriptor < 0 {
      descriptor = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o644)
      if descriptor >= 0 { fchmod(descriptor, 0o644) }
    }
    guard descriptor >= 0 else {
      if exclusive {
        throw ServerError("cannot open \(path): \(ErrorText.system(errno))")
      }
      return nil
    }
    guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
      let reason = errno
      close(descriptor)
      guard reason == EWOULDBLOCK else {
        throw ServerError("cannot lock \(path): \(ErrorText.system(reason))")
      }
      throw ServerError(
        exclusive
          ? "a command is using the database \(databasePath) (`inlet directory import`, "
            + "`inlet replay`, `inlet backup`, `inlet inquiries`); wait for it to finish, then "
            + "restore"
          : "`inlet restore` is replacing the database \(databasePath); run this again when it "
            + "has finished")
    }
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  /// The shared locks this process holds, one per database, until it exits.
  private static let held = Mutex<[String: WritersLock]>([:])

  /// Takes a shared lock on `databasePath`'s writers file for the rest of the process (once).
  /// A command that only reads the database takes it too, before it opens the file.
  public static func holdForProcess(databasePath: String) throws {
    guard held.withLock({ $0[databasePath] == nil }) else { return }
    let lock = try WritersLock(databasePath: databasePath, exclusive: false)
    held.withLock { $0[databasePath] = $0[databasePath] ?? lock }
  }
}
