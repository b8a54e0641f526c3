import Foundation
import InletCore

/// Where a batch of letters came from: one folder of one configured mailbox, in one
/// `UIDVALIDITY` epoch.
public struct MailLocation: Sendable, Equatable {
  public var mailbox: String
  public var folder: String
  public var uidValidity: UInt32

  public init(mailbox: String, folder: String, uidValidity: UInt32) {
    self.mailbox = mailbox
    self.folder = folder
    self.uidValidity = uidValidity
  }
}

/// One fetched letter, already normalised (normalising is pure and runs before the write).
public struct MailItem: Sendable {
  public var uid: UInt32
  /// The letter as fetched (only its headers when it was over `max_message_bytes`).
  public var bytes: [UInt8]
  /// `mail:<Message-ID>`, or `mail-content:<hex>` (the SHA-256 of its authored fields and
  /// body) for a letter without one: the same letter in another folder, another mailbox or
  /// another UIDVALIDITY epoch has the same key.
  public var key: String
  /// The key versions before 0.14 gave a letter without a Message-ID (`mail-sha256:` over all
  /// its bytes): a letter they stored is recognised under it.
  public var earlierKey: String?
  public var receivedAt: Date
  /// When the letter reached the mailbox (its INTERNALDATE; never after `receivedAt`): the
  /// per-sender rate limit counts letters by it, so a backlog fetched at once after downtime
  /// or a first sync of old mail is not taken for a flood.
  public var arrivedAt: Date
  /// The raw journal's transport column (mailbox, folder, UID, size, `oversized`).
  public var transport: String
  /// The sender's e-mail, for the per-sender rate limit.
  public var sender: String?
  public var outcome: Outcome
  /// The inquiry's bulky JSON members, encoded where the letter was normalised (the writer
  /// only copies them).
  public var encoded: InquiryJSONParts?

  /// Key prefixes: a letter's Message-ID, the SHA-256 of its authored content or of all its
  /// bytes (without a Message-ID), a letter the server listed but would not give.
  public static let messageIDKeyPrefix = "mail:"
  public static let contentKeyPrefix = "mail-content:"
  public static let bytesKeyPrefix = "mail-sha256:"
  public static let unfetchableKeyPrefix = "mail-unfetchable:"
  /// The names before those prefixes' colons: a webhook channel named like one would key its
  /// requests (`<channel>:<key>`) among the letters.
  public static let keyNamespaces = [
    messageIDKeyPrefix, contentKeyPrefix, bytesKeyPrefix, unfetchableKeyPrefix,
  ].map { String($0.dropLast()) }

  /// Whether the server would not give this letter's bytes: it is kept as a quarantined
  /// placeholder and asked for again by later passes, and `after_ingest` leaves it alone.
  public var isUnfetchable: Bool { Self.isUnfetchable(key: key) }

  /// Whether a raw item's idempotency key is an unfetchable letter's placeholder.
  public static func isUnfetchable(key: String?) -> Bool {
    key?.hasPrefix(unfetchableKeyPrefix) == true
  }

  public init(
    uid: UInt32, bytes: [UInt8], key: String, receivedAt: Date, arrivedAt: Date? = nil,
    transport: String, sender: String?, outcome: Outcome
  ) {
    self.uid = uid
    self.bytes = bytes
    self.key = key
    self.receivedAt = receivedAt
    self.arrivedAt = min(arrivedAt ?? receivedAt, receivedAt)
    self.transport = transport
    self.sender = sender
    self.outcome = outcome
    if case .inquiry(let inquiry, _, _) = outcome { encoded = InquiryJSONParts(inquiry) }
  }

  /// What the normaliser made of the letter.
  public enum Outcome: Sendable {
    /// A lead — or a continuation, when `references` name a letter already ingested.
    case inquiry(Inquiry, files: [UploadedFile], references: [String])
    /// Noise (auto-reply, bounce, …): kept raw with the reason and what could be extracted.
    case ignored(reason: String, partial: Inquiry?)
    /// Could not be parsed: kept raw, quarantined with the error.
    case quarantined(reason: String, partial: Inquiry?)
  }
}

/// The per-sender limit: more letters than `count` from one address within `window` seconds
/// are kept as `ignored` (`rate_limited`), so a mail loop or a spammer cannot flood the queue.
public struct MailRateLimit: Sendable, Equatable {
  public var count: Int
  public var window: TimeInterval

  public init(count: Int = 20, window: TimeInterval = 2 * 3600) {
    self.count = count
    self.window = window
  }
}

/// What storing one letter did.
public enum MailIngestResult: Sendable, Equatable {
  /// A new inquiry.
  case created(inquiryID: String, rawID: String)
  /// Appended to a still-new inquiry's `messages[]`.
  case continued(inquiryID: String, rawID: String)
  /// Kept without an inquiry (`ignored` or `quarantined`).
  case kept(rawID: String, status: RawItemStatus, reason: String?)
  /// The letter was already ingested (from another folder, mailbox or epoch): linked to it.
  case duplicate(rawID: String, inquiryID: String?)
  /// This very UID was stored before (a batch fetched again after a crash): nothing to do.
  case alreadyStored(rawID: String)

  /// The reason of a letter the per-sender rate limit held back.
  public static let rateLimitedReason = "rate_limited"

  /// Whether the per-sender rate limit held the letter back: it owes the server nothing
  /// (`after_ingest` leaves it where it is, for a person to see).
  public var isRateLimited: Bool {
    if case .kept(_, _, let reason) = self { return reason == Self.rateLimitedReason }
    return false
  }

  public var rawID: String {
    switch self {
    case .created(_, let raw), .continued(_, let raw), .kept(let raw, _, _),
      .duplicate(let raw, _), .alreadyStored(let raw):
      return raw
    }
  }
}

/// The stored position of one mailbox folder.
public struct MailCursor: Sendable, Equatable {
  public var uidValidity: UInt32
  public var lastUID: UInt32
  public var createdAt: Date
  public var updatedAt: Date
  /// A rescan after a UIDVALIDITY change skips letters that arrived before this…
  public var rescanBefore: Date?
  /// …among the UIDs up to this one (the folder's highest at the change).
  public var rescanUntil: UInt32?

  /// The window a rescan or a first sync leaves alone, when one is set.
  public var rescanWindow: MailWindow? {
    guard let rescanBefore, let rescanUntil else { return nil }
    return MailWindow(before: rescanBefore, until: rescanUntil)
  }

  public init(
    uidValidity: UInt32, lastUID: UInt32, createdAt: Date, updatedAt: Date,
    rescanBefore: Date? = nil, rescanUntil: UInt32? = nil
  ) {
    self.uidValidity = uidValidity
    self.lastUID = lastUID
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.rescanBefore = rescanBefore
    self.rescanUntil = rescanUntil
  }
}

/// Letters a first sync (`{days: N}`) or a rescan under `from_now` leaves alone: those that
/// arrived before `before`, among the UIDs up to `until` (letters moved in later from an
/// archive keep their old dates but get higher UIDs, and are taken).
public struct MailWindow: Sendable, Equatable {
  public var before: Date
  public var until: UInt32

  public init(before: Date, until: UInt32) {
    self.before = before
    self.until = until
  }

  /// Whether a letter of `uid`, arrived at `arrival`, is left alone (one of unknown arrival
  /// is not).
  public func leavesAlone(uid: UInt32, arrival: Date?) -> Bool {
    uid <= until && (arrival ?? before) < before
  }
}
