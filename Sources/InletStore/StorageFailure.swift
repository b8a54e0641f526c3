import GRDB

/// Errors that mean the store cannot be used for a while — another process holds the write
/// lock past the busy timeout, the disk is full or failing — rather than a bad request or a
/// bug: the API answers them 503 with `Retry-After`, and the client's retry may succeed.
public enum StorageFailure {
  public static func isTransient(_ error: any Error) -> Bool {
    guard let error = error as? DatabaseError else { return false }
    switch error.resultCode.primaryResultCode {
    // ABORT: the transaction was rolled back under this write by another's failure (a full
    // disk during a group commit rolls back the whole batch).
    case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN,
      .SQLITE_READONLY, .SQLITE_NOMEM, .SQLITE_PROTOCOL, .SQLITE_ABORT:
      return true
    default:
      return false
    }
  }
}
