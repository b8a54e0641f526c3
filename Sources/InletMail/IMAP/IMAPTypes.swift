import Foundation

/// What `SELECT`/`EXAMINE` reported about a folder.
public struct IMAPFolderStatus: Sendable, Equatable {
  public var uidValidity: UInt32
  public var uidNext: UInt32?
  public var exists: Int

  public init(uidValidity: UInt32, uidNext: UInt32?, exists: Int) {
    self.uidValidity = uidValidity
    self.uidNext = uidNext
    self.exists = exists
  }
}

/// One letter as fetched: the raw bytes exactly as the server holds them (`BODY.PEEK[]`), or only
/// its header (`BODY.PEEK[HEADER]`) when the letter is larger than the fetch's `maxBytes`.
public struct IMAPFetchedMessage: Sendable, Equatable {
  public var uid: UInt32
  /// `RFC822.SIZE`: the size of the whole letter, also when only the header was fetched.
  public var size: Int
  public var internalDate: Date?
  public var bytes: [UInt8]
  public var headersOnly: Bool
  /// The server listed the letter but would not give it (its body `NIL`, refused, left out
  /// of an answer, or the session ended over it): said outright, not guessed from a size of
  /// 0 — the size may be unknown too.
  public var unfetchable: Bool

  public init(
    uid: UInt32, size: Int, internalDate: Date?, bytes: [UInt8], headersOnly: Bool,
    unfetchable: Bool = false
  ) {
    self.uid = uid
    self.size = size
    self.internalDate = internalDate
    self.bytes = bytes
    self.headersOnly = headersOnly
    self.unfetchable = unfetchable
  }
  /// A letter the server listed but would not give: no bytes, its listed size (0 when the
  /// server would not size it either).
  public static func unfetchable(uid: UInt32, size: Int) -> IMAPFetchedMessage {
    IMAPFetchedMessage(
      uid: uid, size: size, internalDate: nil, bytes: [], headersOnly: false, unfetchable: true)
  }

}

/// `move` copied letters into the target folder but the server refused to remove them from
/// the source (no rights to `\Deleted` or EXPUNGE): a retry must not copy them again.
public struct IMAPPartialMove: Error, CustomStringConvertible, Sendable {
  public var copied: [UInt32]
  public var error: IMAPError

  public var description: String {
    "copied \(copied.count) letters, then: \(error)"
  }
}

/// Every failure of the IMAP client. None of them traps: whatever the server sends ends here.
///
/// After `.no` and `.bad` the connection is still usable. After any other error the client is
/// disconnected: call `connect()` again (with backoff) or make a new client.
public enum IMAPError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The server could not be reached, or the URL or the TLS mode is wrong.
  case connect(String)
  /// TLS or STARTTLS failed: handshake, certificate check, or STARTTLS not offered.
  case tls(String)
  /// The server rejected the login: wrong password or a rejected (expired) OAuth token.
  case authentication(String)
  /// A tagged `NO`: the command failed (missing folder, quota, ...). The text has the code.
  case no(String)
  /// A tagged `BAD`: the server did not understand the command.
  case bad(String)
  /// The server sent something that is not IMAP, or not what the command allows.
  case protocolViolation(String)
  /// A network wait took longer than the endpoint's timeout.
  case timeout
  /// The connection was closed or lost (or the client was never connected).
  case closed
  /// The server said `BYE` (shutting down, idle too long) and closed the connection.
  case bye(String)
  /// The server does not offer what the call needs (`IDLE`).
  case unsupported(String)

  public var description: String {
    switch self {
    case .connect(let text): return "IMAP connection failed: \(text)"
    case .tls(let text): return "IMAP TLS failed: \(text)"
    case .authentication(let text): return "IMAP login rejected: \(text)"
    case .no(let text): return "IMAP server answered NO: \(text)"
    case .bad(let text): return "IMAP server answered BAD: \(text)"
    case .protocolViolation(let text): return "IMAP protocol violation: \(text)"
    case .timeout: return "IMAP server did not answer in time"
    case .closed: return "IMAP connection closed"
    case .bye(let text): return "IMAP server closed the connection: BYE \(text)"
    case .unsupported(let text): return "IMAP server does not support \(text)"
    }
  }

  /// A refusal of the letters a command asked for, not of the command: a `NO` (a file the
  /// server cannot read), or Exchange's `BAD Command Argument Error` for a letter it cannot
  /// convert. A caller fetching them keeps them as unfetchable rather than stopping at them;
  /// any other `BAD` (a command the server does not take) fails the pass, as it should. A `NO`
  /// the server marks as temporary (``isTemporary``) refuses letters too: Yahoo answers one
  /// broken letter so for ever, and failing the pass would stop every letter after it (a
  /// storage outage gives letters up only after 5 attempts over 6 hours).
  public var refusesLetters: Bool {
    switch self {
    case .no: return true
    case .bad(let text): return text.lowercased().contains("command argument error")
    default: return false
    }
  }

  /// A `NO` whose response code (RFC 5530) says the failure is the server's and passes:
  /// `[UNAVAILABLE]` (a subsystem is down, as Dovecot answers when its storage is), `[INUSE]`
  /// (the mailbox is locked by another session).
  public var isTemporary: Bool {
    guard case .no(let text) = self, text.first == "[" else { return false }
    let code = text.dropFirst().prefix { $0 != "]" && $0 != " " }.uppercased()
    return code == "UNAVAILABLE" || code == "INUSE"
  }

  /// True for a rejected login: retrying with the same credential will not help (a new OAuth
  /// token may).
  public var isAuthentication: Bool {
    if case .authentication = self { return true }
    return false
  }

  /// True when the connection survived the error (`NO`, `BAD`).
  public var connectionUsable: Bool {
    switch self {
    case .no, .bad: return true
    default: return false
    }
  }

  /// Whether the session is over (the server said `BYE`, hung up, or went quiet).
  public var endsSession: Bool {
    switch self {
    case .bye, .closed, .timeout: return true
    default: return false
    }
  }
}
