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
    var hits = try personRecords(with: key, limit: limit)
    // An address that finds nobody as written: the mailbox it delivers to (`ivan-petrov@ya.ru`
    // is the directory's `ivan.petrov@yandex.ru`), written so or as another alias of it.
    if key.kind == .email, hits.isEmpty {
      let mailbox = EmailNormalizer.mailbox(key.value) ?? key.value
      if mailbox != key.value {
        hits = try personRecords(with: DirectoryKey(.email, mailbox), limit: limit)
      }
      // The directory's other aliases of the mailbox — not for a company's tagged address:
      // the directory's `sales+ivan@` and the lead's `sales+olga@` are two people.
      if !EmailNormalizer.tagMayNameAnother(key.value) {
        for hit in try personRecords(with: DirectoryKey(.mailbox, mailbox), limit: limit)
        where hits.count < limit && !hits.contains(hit) {
          hits.append(hit)
        }
      }
    }
    // A phone is also an office line: it finds the clients of the contacts listing it (each
    // once, however many people share the line), after the person-level records, so a limit
    // never cuts those for office rows. Distinct clients are what the limit counts: 21 people
    // of one client on a line must not hide a second client.
    if key.kind == .phone, hits.count < limit {
      let statement = try db.cachedStatement(
        sql: """
          SELECT DISTINCT cl.id
          FROM directory_keys k
          JOIN contacts c ON c.id = k.record_id
          JOIN clients cl ON cl.id = c.client_id
          WHERE k.kind = 'office_phone' AND k.value = ? AND k.record_type = 'contact' LIMIT ?
          """)
      try db.queryDirect(statement) { bind in
        try bind.text(1, key.value)
        try bind.integer(2, Int64(limit - hits.count))
      } row: { row in
        guard let client = row.text(0) else { return }
        hits.append(DirectoryHit(recordType: .client, id: client, clientID: client))
      }
    }
    // A domain no client lists: the client whose own e-mail is at it — one client only: a
    // domain several clients' cards have addresses at is a mail service no list knows (i.ua,
    // a hosting's mail), no company's.
    if key.kind == .domain, hits.isEmpty {
      let statement = try db.cachedStatement(
        sql: """
          SELECT DISTINCT k.record_id FROM directory_keys k JOIN clients cl ON cl.id = k.record_id
          WHERE k.kind = 'email_domain' AND k.value = ? AND k.record_type = 'client' LIMIT 2
          """)
      var clients: [String] = []
      try db.queryDirect(statement) { bind in
        try bind.text(1, key.value)
      } row: { row in
        if let client = row.text(0) { clients.append(client) }
      }
      if clients.count == 1 {
        hits.append(DirectoryHit(recordType: .client, id: clients[0], clientID: clients[0]))
      }
    }
    return hits
  }

  /// The records whose own value `key` is (a phone: a person's number, not an office line).
  private func personRecords(with key: DirectoryKey, limit: Int) throws -> [DirectoryHit] {
    let statement = try db.cachedStatement(
      sql: """
        SELECT k.record_type, k.record_id, cl.id
        FROM directory_keys k
        LEFT JOIN contacts c ON k.record_type = 'contact' AND c.id = k.record_id
        LEFT JOIN clients cl ON cl.id = c.client_id
        WHERE k.kind = ? AND k.value = ? LIMIT ?
        """)
    var hits: [DirectoryHit] = []
    try db.queryDirect(statement) { bind in
      try bind.text(1, key.kind.rawValue)
      try bind.text(2, key.value)
      try bind.integer(3, Int64(limit))
    } row: { row in
      guard let id = row.text(1) else { return }
      switch row.text(0) {
      case "client": hits.append(DirectoryHit(recordType: .client, id: id, clientID: id))
      case "contact":
        hits.append(DirectoryHit(recordType: .contact, id: id, clientID: row.text(2)))
      default: break
      }
    }
    return hits
  }

  func openInterestIDs(ofClient id: String, contact: String?) throws -> [String] {
    let statement = try db.cachedStatement(
      sql: """
        SELECT id FROM interests WHERE client_id = ? AND status = 'open'
        ORDER BY COALESCE(contact_id = ?, 0) DESC, updated_at DESC, id
        """)
    return try String.fetchAll(statement, arguments: [id, contact])
  }

  func clientFlags(_ id: String) throws -> DirectoryClientFlags? {
    let statement = try db.cachedStatement(
      sql: "SELECT potential, person FROM clients WHERE id = ?")
    return try Row.fetchOne(statement, arguments: [id]).map {
      DirectoryClientFlags(potential: $0[0], person: $0[1])
    }
  }
}
