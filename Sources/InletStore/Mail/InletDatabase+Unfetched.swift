import Foundation
import GRDB
import InletCore

/// Letters the server listed but would not give (`BODY[] NIL`, left out of an answer, a
/// refused or session-ending FETCH): kept at once as a quarantined placeholder, so nobody
/// misses that a letter came, and asked for again by the next passes; once one comes, it is
/// ingested as any letter and the placeholder is set aside.
extension InletDatabase {
  /// The passes a letter is asked for before its placeholder is final…
  public static let unfetchableAttempts = 5
  /// …and for how long at least (passes under IDLE may follow each other within seconds).
  public static let unfetchablePeriod: TimeInterval = 6 * 3600

  /// Keeps an unfetchable letter: a placeholder and a retry row the first time; a count of the
  /// attempts after that, and the copy recorded as stored (never asked for again, nothing
  /// owed to the server) once it was asked for ``unfetchableAttempts`` times over at least
  /// ``unfetchablePeriod``.
  static func keepUnfetchable(_ item: MailItem, at location: MailLocation, in db: Database)
    throws -> MailIngestResult
  {
    let arguments: StatementArguments = [
      location.mailbox, location.folder, Int64(location.uidValidity), Int64(item.uid),
    ]
    let place = "mailbox = ? AND folder = ? AND uidvalidity = ? AND uid = ?"
    if let row = try Row.fetchOne(
      db, sql: "SELECT raw_id, attempts, first_seen FROM mail_unfetched WHERE \(place)",
      arguments: arguments)
    {
      let rawID: Int64 = row["raw_id"]
      let attempts: Int = row["attempts"]
      let firstSeen: Double = row["first_seen"]
      if attempts + 1 >= unfetchableAttempts,
        Date().timeIntervalSince1970 - firstSeen >= unfetchablePeriod
      {
        try db.execute(sql: "DELETE FROM mail_unfetched WHERE \(place)", arguments: arguments)
        try db.execute(
          sql: """
            INSERT OR IGNORE INTO mail_copies (mailbox, folder, uidvalidity, uid, raw_id, owed)
            VALUES (?, ?, ?, ?, ?, 0)
            """, arguments: arguments + [rawID])
      } else {
        try db.execute(
          sql: "UPDATE mail_unfetched SET attempts = attempts + 1 WHERE \(place)",
          arguments: arguments)
      }
      return .alreadyStored(rawID: String(rawID))
    }
    guard case .quarantined(let reason, _) = item.outcome else {
      throw DatabaseError(message: "an unfetchable letter must be quarantined")
    }
    // The place's key names the UIDVALIDITY epoch too: a UID is only a letter within one.
    let key = item.key + "/\(location.uidValidity)"
    var raw = RawItemRecord(
      id: nil, channel: location.mailbox, event: "letter", transport: item.transport,
      body: Data(), idempotencyKey: key, receivedAt: item.receivedAt,
      status: RawItemStatus.quarantined.rawValue, reason: reason, extracted: nil, inquiryID: nil)
    if let existing = try Int64.fetchOne(
      db, sql: "SELECT id FROM raw_items WHERE idempotency_key = ?", arguments: [key])
    {
      raw.id = existing
    } else {
      try raw.insertCached(db)
    }
    try db.execute(
      sql: """
        INSERT OR IGNORE INTO mail_unfetched
          (mailbox, folder, uidvalidity, uid, raw_id, attempts, first_seen)
        VALUES (?, ?, ?, ?, ?, 1, ?)
        """, arguments: arguments + [raw.id!, Date().timeIntervalSince1970])
    return .kept(rawID: String(raw.id!), status: .quarantined, reason: reason)
  }

  /// The letters of this folder and epoch still to be asked for again, in UID order (rows of
  /// an earlier UIDVALIDITY are dropped when the cursor starts the new epoch).
  public func unfetchedMailUIDs(_ location: MailLocation) async throws -> [UInt32] {
    try await read { db in
      try Int64.fetchAll(
        db,
        sql: """
          SELECT uid FROM mail_unfetched WHERE mailbox = ? AND folder = ? AND uidvalidity = ?
          ORDER BY uid
          """, arguments: [location.mailbox, location.folder, Int64(location.uidValidity)]
      ).map { UInt32(truncatingIfNeeded: $0) }
    }
  }

  /// Settles retried letters: one now stored (it has a `mail_copies` row) sets its
  /// placeholder aside as `ignored`, naming the raw item that holds the letter; one no longer
  /// in the folder (`gone`) is not asked for again and its placeholder stays as it is; one
  /// that came but falls in the window the first sync or a rescan leaves alone (`skipped`)
  /// sets its placeholder aside as `ignored`, as that pass would have left it.
  public func settleUnfetched(
    _ location: MailLocation, stored: [UInt32], gone: [UInt32], skipped: [UInt32] = []
  ) async throws {
    guard !stored.isEmpty || !gone.isEmpty || !skipped.isEmpty else { return }
    try await write { db in
      let place = "mailbox = ? AND folder = ? AND uidvalidity = ? AND uid = ?"
      for uid in stored + gone + skipped {
        let arguments: StatementArguments = [
          location.mailbox, location.folder, Int64(location.uidValidity), Int64(uid),
        ]
        guard
          let placeholder = try Int64.fetchOne(
            db, sql: "SELECT raw_id FROM mail_unfetched WHERE \(place)", arguments: arguments)
        else { continue }
        if skipped.contains(uid) {
          try db.execute(
            sql: "UPDATE raw_items SET status = 'ignored', reason = ? WHERE id = ?",
            arguments: [
              "fetched on a later pass: it arrived before the first sync's window, left alone",
              placeholder,
            ])
        } else if let copy = try Int64.fetchOne(
          db, sql: "SELECT raw_id FROM mail_copies WHERE \(place)", arguments: arguments),
          copy != placeholder
        {
          try db.execute(
            sql: "UPDATE raw_items SET status = 'ignored', reason = ? WHERE id = ?",
            arguments: ["fetched on a later pass: raw item \(copy)", placeholder])
        } else if !gone.contains(uid) {
          continue
        }
        try db.execute(sql: "DELETE FROM mail_unfetched WHERE \(place)", arguments: arguments)
      }
    }
  }
}
