import GRDB
import InletCore

/// ``DirectoryLookup`` over the open database connection: one indexed range per call, with
/// statements cached by the connection because matching runs inside every ingest.
///
/// A contact's client is only named when that client is in the directory: a contact imported
/// before its client, or left behind when the CRM deleted the client, is a contact without one.
struct SQLiteDirectoryLookup: DirectoryLookup {
  let db: Database

  func records(with key: DirectoryKey, limit: Int) throws -> [DirectoryHit] {
    // Office rows fold into one hit per client, so `limit` rows may be fewer hits: the limit
    // cuts the hits, as the in-memory reference does, and rows are read further while a cut
    // could have hidden one (21 people of one client on a line must not hide a second client).
    var rowLimit = max(limit, 1)
    while true {
      let (hits, rows) = try read(key, rowLimit: rowLimit)
      if hits.count >= limit || rows < rowLimit || rowLimit >= 1 << 20 {
        return Array(hits.prefix(limit))
      }
      rowLimit *= 8
    }
  }

  /// The hits of at most `rowLimit` rows of the key, and how many rows were read.
  private func read(_ key: DirectoryKey, rowLimit: Int) throws -> (hits: [DirectoryHit], rows: Int)
  {
    // A phone is looked up as a person's number and as an office line in one range of the
    // index; person-level rows first, so a limit never cuts them for office rows.
    let kinds = key.kind == .phone ? "k.kind IN ('phone', 'office_phone')" : "k.kind = ?"
    let statement = try db.cachedStatement(
      sql: """
        SELECT k.kind, k.record_type, k.record_id, cl.id
        FROM directory_keys k
        LEFT JOIN contacts c ON k.record_type = 'contact' AND c.id = k.record_id
        LEFT JOIN clients cl ON cl.id = c.client_id
        WHERE \(kinds) AND k.value = ? ORDER BY k.kind DESC LIMIT ?
        """)
    var hits: [DirectoryHit] = []
    var rows = 0
    var officeClients: Set<String> = []
    try db.queryDirect(statement) { bind in
      var index: Int32 = 1
      if key.kind != .phone {
        try bind.text(index, key.kind.rawValue)
        index += 1
      }
      try bind.text(index, key.value)
      try bind.integer(index + 1, Int64(rowLimit))
    } row: { row in
      rows += 1
      guard let id = row.text(2) else { return }
      switch (row.text(0), row.text(1)) {
      case (DirectoryKey.Kind.officePhone.rawValue, _):
        // The office line finds the contact's client (once), not the person.
        if let client = row.text(3), officeClients.insert(client).inserted {
          hits.append(DirectoryHit(recordType: .client, id: client, clientID: client))
        }
      case (_, "client"): hits.append(DirectoryHit(recordType: .client, id: id, clientID: id))
      case (_, "contact"):
        hits.append(DirectoryHit(recordType: .contact, id: id, clientID: row.text(3)))
      default: break
      }
    }
    return (hits, rows)
  }

  func openInterestIDs(ofClient id: String) throws -> [String] {
    let statement = try db.cachedStatement(
      sql: """
        SELECT id FROM interests WHERE client_id = ? AND status = 'open'
        ORDER BY updated_at DESC, id
        """)
    return try String.fetchAll(statement, arguments: [id])
  }

  func isPotentialClient(_ id: String) throws -> Bool? {
    let statement = try db.cachedStatement(sql: "SELECT potential FROM clients WHERE id = ?")
    return try Bool.fetchOne(statement, arguments: [id])
  }
}
