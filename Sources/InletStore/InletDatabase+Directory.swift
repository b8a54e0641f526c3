import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Adds or replaces one record, normalised, and re-matches the still-`new` inquiries it
  /// affects, in one transaction. Returns the record as stored.
  public func upsertDirectory(_ record: DirectoryRecord) async throws -> (
    DirectoryRecord, DirectoryWriteResult
  ) {
    let settings = directorySettings
    return try await write { db in
      var change = DirectoryChange()
      var result = DirectoryWriteResult()
      let stored = try Self.upsert(record, settings: settings, change: &change, in: db)
      result.upserted[record.kind.rawValue] = 1
      result.rematched = try Self.rematch(change, settings: settings, in: db)
      return (stored, result)
    }
  }

  /// Deletes one record (nothing to do when it is not there) and re-matches what it affected.
  public func deleteDirectory(_ kind: DirectoryKind, id: String) async throws
    -> DirectoryWriteResult
  {
    let settings = directorySettings
    return try await write { db in
      var change = DirectoryChange()
      var result = DirectoryWriteResult()
      result.deleted[kind.rawValue] = try Self.delete(kind, id: id, change: &change, in: db) ? 1 : 0
      result.rematched = try Self.rematch(change, settings: settings, in: db)
      return result
    }
  }

  /// Applies a batch all or nothing: upserts (clients, contacts, interests), then deletions.
  public func applyDirectoryBatch(_ batch: DirectoryBatch) async throws -> DirectoryWriteResult {
    let settings = directorySettings
    return try await write { db in
      var change = DirectoryChange()
      var result = DirectoryWriteResult()
      let records =
        batch.clients.map(DirectoryRecord.client) + batch.contacts.map(DirectoryRecord.contact)
        + batch.interests.map(DirectoryRecord.interest)
      for record in records {
        _ = try Self.upsert(record, settings: settings, change: &change, in: db)
        result.upserted[record.kind.rawValue, default: 0] += 1
      }
      let deletions: [(DirectoryKind, [String])] = [
        (.clients, batch.deleted.clients), (.contacts, batch.deleted.contacts),
        (.interests, batch.deleted.interests),
      ]
      for (kind, ids) in deletions {
        for id in ids.compactMap(DirectoryNormalizer.trimmed)
        where try Self.delete(kind, id: id, change: &change, in: db) {
          result.deleted[kind.rawValue, default: 0] += 1
        }
      }
      result.rematched = try Self.rematch(change, settings: settings, in: db)
      return result
    }
  }

  /// Writes a chunk of an import, normalised by the caller (so parsing and normalising can run
  /// beside the writer), in one transaction without re-matching; call
  /// ``rematchNewInquiries()`` once after the last chunk.
  ///
  /// The chunk is its own transaction, outside the group committer: nothing else waits on it,
  /// and a savepoint around a chunk would copy every page it touches a second time.
  public func importDirectory(_ records: [NormalizedDirectoryRecord]) async throws {
    try await importDirectory(DirectoryImportChunk(records))
  }

  /// Writes a chunk laid out beforehand (``DirectoryImportChunk/init(_:)``, best built on
  /// another core); otherwise the same as
  /// importing its records.
  public func importDirectory(_ chunk: DirectoryImportChunk) async throws {
    try await pool.writeWithoutTransaction { db in try self.writeImport(chunk, in: db) }
  }

  private func writeImport(_ chunk: DirectoryImportChunk, in db: Database) throws {
    // A bulk load touches index pages all over the keys table; a larger cache on the writer
    // keeps them in memory instead of re-reading them for every chunk.
    try db.execute(sql: "PRAGMA cache_size = -262144")
    Self.restartLogIfWanted(db, checkpoints)
    try db.inTransaction(.immediate) {
      var writer = try DirectoryImportWriter(db)
      try writer.write(chunk)
      return .commit
    }
  }

  /// A full export imported (`inlet directory import --replace-all`): deletes the records of
  /// `kind` whose ids `kept` does not hold — what the CRM deleted since the last export —, in
  /// transactions of 1,000, without re-matching (call ``rematchNewInquiries()`` after). A
  /// record written at or after `exported` (a PUT after the export was taken, or while it was
  /// imported) is newer than the file and stays. Returns how many were deleted and how many
  /// were kept for being newer.
  public func removeDirectoryRecords(
    _ kind: DirectoryKind, notIn kept: Set<String>, writtenBefore exported: Date
  ) async throws -> (removed: Int, newer: Int) {
    let (stale, newer) = try await read { db in
      var stale: [String] = []
      var newer = 0
      let rows = try Row.fetchCursor(db, sql: "SELECT id, updated_at FROM \(kind.rawValue)")
      while let row = try rows.next() {
        let id: String = row[0]
        guard !kept.contains(id) else { continue }
        if let written = row[1] as Double?, written >= exported.timeIntervalSince1970 {
          newer += 1
        } else {
          stale.append(id)
        }
      }
      return (stale, newer)
    }
    var removed = 0
    var start = 0
    while start < stale.count {
      let ids = stale[start..<min(start + 1_000, stale.count)]
      removed += try await write { db in
        var change = DirectoryChange(everything: true)
        var count = 0
        for id in ids where try Self.delete(kind, id: id, change: &change, in: db) { count += 1 }
        return count
      }
      start += 1_000
    }
    return (removed, newer)
  }

  /// Matches every still-`new` inquiry again; returns how many changed.
  public func rematchNewInquiries() async throws -> Int {
    let settings = directorySettings
    return try await write { db in
      try Self.rematch(DirectoryChange(everything: true), settings: settings, in: db)
    }
  }

  /// One record as stored, or `nil`.
  public func directoryRecord(_ kind: DirectoryKind, id: String) async throws -> DirectoryRecord? {
    try await read { db in try Self.directoryRecord(kind, id: id, in: db) }
  }

  /// Record counts by kind.
  public func directoryCountsSync() throws -> [String: Int] {
    try readSync { db in
      var counts: [String: Int] = [:]
      for kind in DirectoryKind.allCases {
        counts[kind.rawValue] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(kind.rawValue)")
      }
      return counts
    }
  }

  // MARK: - Statements

  static func upsert(
    _ record: DirectoryRecord, settings: DirectorySettings, change: inout DirectoryChange,
    in db: Database
  ) throws -> DirectoryRecord {
    let normalized = settings.normalizer.normalize(record)
    try store(normalized, change: &change, in: db)
    return normalized.record
  }

  /// Replaces a normalised record and its keys.
  static func store(
    _ item: NormalizedDirectoryRecord, change: inout DirectoryChange, in db: Database
  ) throws {
    let now = Date().timeIntervalSince1970
    let keys = item.keys
    switch item.record {
    case .client(let client):
      try replaceKeys(.client, id: client.id, keys: keys, change: &change, in: db)
      try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO clients
            (id, name, inn, kpp, potential, updated_at, inn_valid, domains, emails, phones, keys,
             person)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(arguments: [
        client.id, client.name, client.inn, client.kpp, client.potential, now, client.innValid,
        joined(client.domains), joined(client.emails), joined(client.phones), keysText(keys),
        client.person,
      ])
      if !change.everything {
        change.clientIDs.insert(client.id)
        change.clientRecords.insert(client.id)
      }
    case .contact(let contact):
      if !change.everything {
        if let old = try String.fetchOne(
          db, sql: "SELECT client_id FROM contacts WHERE id = ?", arguments: [contact.id])
        {
          change.clientIDs.insert(old)
        }
        change.contactIDs.insert(contact.id)
        if let client = contact.clientID { change.clientIDs.insert(client) }
      }
      try replaceKeys(.contact, id: contact.id, keys: keys, change: &change, in: db)
      try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO contacts
            (id, client_id, name, updated_at, emails, phones, messengers, keys)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(arguments: [
        contact.id, contact.clientID, contact.name, now, joined(contact.emails),
        joined(contact.phones), joined(contact.messengers), keysText(keys),
      ])
    case .interest(let interest):
      if !change.everything {
        if let old = try interestClient(interest.id, in: db) {
          change.clientIDs.insert(old)
        }
        if let client = interest.clientID { change.clientIDs.insert(client) }
      }
      // Without an `updated_at` of its own, a write stamps the time only when the interest is
      // new or changed: the same PUT again must not reorder a client's open interests (the
      // newest first), nor update every inquiry they are suggested for.
      try db.cachedStatement(
        sql: """
          INSERT INTO interests (id, client_id, contact_id, title, stage, status, updated_at)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE(?7, ?8))
          ON CONFLICT(id) DO UPDATE SET client_id = excluded.client_id,
            contact_id = excluded.contact_id, title = excluded.title, stage = excluded.stage,
            status = excluded.status,
            updated_at = CASE
              WHEN ?7 IS NOT NULL THEN ?7
              WHEN client_id IS excluded.client_id AND contact_id IS excluded.contact_id
                AND title IS excluded.title AND stage IS excluded.stage
                AND status IS excluded.status THEN updated_at
              ELSE ?8 END
          """
      ).execute(arguments: [
        interest.id, interest.clientID, interest.contactID, interest.title, interest.stage,
        interest.status.rawValue, interest.updatedAt?.timeIntervalSince1970, now,
      ])
    }
  }

  /// Deletes a record and its keys; whether it existed.
  static func delete(
    _ kind: DirectoryKind, id: String, change: inout DirectoryChange, in db: Database
  ) throws -> Bool {
    switch kind {
    case .clients:
      change.clientIDs.insert(id)
      change.clientRecords.insert(id)
      try replaceKeys(.client, id: id, keys: [], change: &change, in: db)
    case .contacts:
      change.contactIDs.insert(id)
      try replaceKeys(.contact, id: id, keys: [], change: &change, in: db)
    case .interests:
      if let client = try interestClient(id, in: db) {
        change.clientIDs.insert(client)
      }
    }
    try db.execute(sql: "DELETE FROM \(kind.rawValue) WHERE id = ?", arguments: [id])
    let existed = db.changesCount > 0
    try db.cachedStatement(
      sql: "INSERT OR REPLACE INTO directory_deleted (kind, id, deleted_at) VALUES (?, ?, ?)"
    ).execute(arguments: [kind.rawValue, id, Date().timeIntervalSince1970])
    return existed
  }

  /// The client an interest (a deal) in the directory belongs to.
  static func interestClient(_ id: String, in db: Database) throws -> String? {
    try String.fetchOne(
      db.cachedStatement(sql: "SELECT client_id FROM interests WHERE id = ?"), arguments: [id])
  }

  /// Whether the CRM deleted record `id` of `kind` and has not written it again.
  static func isDeleted(_ kind: DirectoryKind, id: String, in db: Database) throws -> Bool {
    try db.queryFirstDirect(
      db.cachedStatement(
        sql: """
          SELECT 1 FROM directory_deleted WHERE kind = ? AND id = ?
            AND NOT EXISTS (SELECT 1 FROM \(kind.rawValue) WHERE id = ?)
          """),
      bind: { bind in
        try bind.text(1, kind.rawValue)
        try bind.text(2, id)
        try bind.text(3, id)
      }, row: { _ in true }) ?? false
  }

  /// Replaces the keys of one record, noting the old and new keys in `change`. The old keys are
  /// the ones listed in the record's own row (`keys`), deleted by primary key: no second index on
  /// `directory_keys` is needed to find a record's keys.
  private static func replaceKeys(
    _ type: DirectoryHit.RecordType, id: String, keys: [DirectoryKey],
    change: inout DirectoryChange, in db: Database
  ) throws {
    let table = type == .client ? "clients" : "contacts"
    let stored = try String.fetchOne(
      db.cachedStatement(sql: "SELECT keys FROM \(table) WHERE id = ?"), arguments: [id])
    let old = parseKeys(stored)
    if !change.everything {
      change.keys.formUnion(old)
      change.keys.formUnion(keys)
    }
    let delete = try db.cachedStatement(
      sql: """
        DELETE FROM directory_keys WHERE kind = ? AND value = ? AND record_type = ?
          AND record_id = ?
        """)
    for key in old {
      try delete.execute(arguments: [key.kind.rawValue, key.value, type.rawValue, id])
    }
    let insert = try db.cachedStatement(
      sql: "INSERT OR IGNORE INTO directory_keys (kind, value, record_type, record_id) "
        + "VALUES (?, ?, ?, ?)")
    for key in keys {
      try insert.execute(arguments: [key.kind.rawValue, key.value, type.rawValue, id])
    }
  }

  /// A record's keys as its row lists them: `kind<TAB>value` lines.
  static func keysText(_ keys: [DirectoryKey]) -> String? {
    keys.isEmpty ? nil : keys.map { "\($0.kind.rawValue)\t\($0.value)" }.joined(separator: "\n")
  }

  /// Adds keys derived from what a record already stores (the migrations that introduce a key):
  /// to its row's `keys` list, which holds `listed` now, and to `directory_keys`.
  static func addKeys(
    _ added: [DirectoryKey], to type: DirectoryHit.RecordType, id: String,
    listed: [DirectoryKey], in db: Database
  ) throws {
    var keys = listed
    for key in added where !keys.contains(key) { keys.append(key) }
    try db.execute(
      sql: "UPDATE \(type == .client ? "clients" : "contacts") SET keys = ? WHERE id = ?",
      arguments: [keysText(keys), id])
    for key in Set(added) {
      try db.execute(
        sql: """
          INSERT OR IGNORE INTO directory_keys (kind, value, record_type, record_id)
          VALUES (?, ?, ?, ?)
          """, arguments: [key.kind.rawValue, key.value, type.rawValue, id])
    }
  }

  static func parseKeys(_ text: String?) -> [DirectoryKey] {
    guard let text else { return [] }
    return text.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, let kind = DirectoryKey.Kind(rawValue: String(parts[0])) else {
        return nil
      }
      return DirectoryKey(kind, String(parts[1]))
    }
  }

  static func directoryRecord(_ kind: DirectoryKind, id: String, in db: Database) throws
    -> DirectoryRecord?
  {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT * FROM \(kind.rawValue) WHERE id = ?",
        arguments: [id])
    else { return nil }
    switch kind {
    case .clients:
      return .client(
        DirectoryClient(
          id: row["id"], name: row["name"], inn: row["inn"], kpp: row["kpp"],
          domains: split(row["domains"]), emails: split(row["emails"]),
          phones: split(row["phones"]), potential: row["potential"], person: row["person"],
          innValid: row["inn_valid"]))
    case .contacts:
      return .contact(
        DirectoryContact(
          id: row["id"], clientID: row["client_id"], name: row["name"],
          emails: split(row["emails"]), phones: split(row["phones"]),
          messengers: split(row["messengers"])))
    case .interests:
      return .interest(
        DirectoryInterest(
          id: row["id"], clientID: row["client_id"], contactID: row["contact_id"],
          title: row["title"], stage: row["stage"],
          status: DirectoryInterest.Status(rawValue: row["status"]) ?? .open,
          updatedAt: Date(timeIntervalSince1970: row["updated_at"])))
    }
  }

  /// Lists are stored one value per line: values are trimmed, so no value holds a line break.
  private static func joined(_ values: [String]) -> String? {
    values.isEmpty ? nil : values.joined(separator: "\n")
  }

  private static func split(_ text: String?) -> [String] {
    (text ?? "").split(separator: "\n").map(String.init)
  }
}
