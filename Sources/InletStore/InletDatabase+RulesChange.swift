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
    try await renormalizeDirectoryPhones()
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

  /// Reads again, under this `phone.default_country`, the directory's phones that did not
  /// normalise when they were written (kept as given: a Belarusian `8 029 123-45-67` under
  /// `RU`), so the numbers a corrected country now reads are matched without waiting for the
  /// CRM to write those records again. Chunked; each record keeps what normalised already.
  func renormalizeDirectoryPhones() async throws {
    let settings = directorySettings
    for kind in [DirectoryKind.clients, .contacts] {
      let ids = try await read { db in
        try Row.fetchAll(
          db, sql: "SELECT id, phones FROM \(kind.rawValue) WHERE phones IS NOT NULL"
        ).compactMap { row -> String? in
          let phones: String = row["phones"]
          return phones.split(separator: "\n").contains { !$0.hasPrefix("+") } ? row["id"] : nil
        }
      }
      var start = 0
      while start < ids.count {
        let chunk = ids[start..<min(start + Self.rematchChunk, ids.count)]
        try await write { db in
          var change = DirectoryChange(everything: true)
          for id in chunk {
            guard let record = try Self.directoryRecord(kind, id: id, in: db) else { continue }
            let normalized = settings.normalizer.normalize(record)
            guard normalized.record != record else { continue }
            try Self.store(normalized, change: &change, in: db)
          }
        }
        start += Self.rematchChunk
      }
    }
  }
}
