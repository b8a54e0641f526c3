import Foundation
import GRDB
import InletCore

extension DirectorySettings {
  /// What a stored suggestion depends on besides the directory: this version's rules and the
  /// configured ones (`matching:`, `phone.default_country`).
  public var fingerprint: String {
    [
      "rules \(Matcher.rulesVersion)",
      "max_matches \(rules.maxMatches)",
      "default_country \(normalizer.phone.defaultCountry)",
      "free_mail " + rules.freeMailDomains.sorted().joined(separator: ","),
    ].joined(separator: "\n")
  }
}

extension InletDatabase {
  /// Inquiries matched again per transaction: the daemon's other writers are not held up.
  static let rematchChunk = 500

  /// Matches every `new` inquiry again when the rules changed since the queue was last
  /// matched (an upgrade that changed matching, an edited `matching:` list): queued leads get
  /// the suggestions a lead arriving now would, not only at the next directory write. Each
  /// changed one gets an `inquiry.updated` event. Chunked; the new fingerprint is stored at
  /// the end, so a stop halfway does it again at the next start (an unchanged match is not
  /// written twice). Returns how many changed, or nil when the rules are the same.
  public func rematchQueueIfRulesChanged(now: Date = Date()) async throws -> Int? {
    let settings = directorySettings
    let fingerprint = settings.fingerprint
    let stored = try await read { db in
      try String.fetchOne(db, sql: "SELECT fingerprint FROM matching_state WHERE id = 1")
    }
    guard stored != fingerprint else { return nil }
    var after: Int64 = 0
    var changed = 0
    while true {
      let from = after
      let (ids, count) = try await write { db in
        let ids = try Int64.fetchAll(
          db,
          sql: "SELECT id FROM inquiries WHERE status = 'new' AND id > ? ORDER BY id LIMIT ?",
          arguments: [from, Self.rematchChunk])
        return (ids, try Self.rematch(stored: ids, settings: settings, at: now, in: db))
      }
      changed += count
      guard let last = ids.last else { break }
      after = last
    }
    try await write { db in
      try db.execute(
        sql: "INSERT OR REPLACE INTO matching_state (id, fingerprint) VALUES (1, ?)",
        arguments: [fingerprint])
    }
    return changed
  }
}
