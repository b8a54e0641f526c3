import Foundation
import GRDB
import GRDBSQLite
import InletCore

/// Writes the chunks of a directory import: the rows and keys of each record with cached
/// prepared statements, values bound straight from the strings (no `StatementArguments`).
///
/// A record new to the table is inserted with its keys and nothing else; there are no old keys
/// to delete, since keys only exist beside their record. A record that is already stored (an
/// update, or a row repeated in the file) goes through ``InletDatabase/store(_:change:in:)``,
/// which replaces it and its keys, so the result is the same as storing every row that way.
struct DirectoryImportWriter {
  private let db: Database
  private let connection: OpaquePointer
  private let now: Double
  /// The text parameters of the next statement run, back to back.
  private var texts: [UInt8] = []
  private var textParameters: [TextParameter] = []
  private var change = DirectoryChange(everything: true)
  // Held for the chunk, so their SQLite statements stay valid while stepped directly.
  private let insertClient: Statement
  private let insertContact: Statement
  /// Multi-row key inserts by row count, up to ``keysPerStatement``.
  private var insertKeys: [Int: Statement] = [:]
  /// Keys of new records not written yet; written in multi-row statements, always before
  /// anything that could read or delete them.
  private var pendingKeys: [PendingKey] = []

  private struct TextParameter {
    var index: Int32
    var start: Int
    var count: Int
  }

  private struct PendingKey {
    var key: DirectoryKey
    var recordType: String
    var id: String
  }

  /// Rows per key insert: one statement runs instead of one per key.
  static let keysPerStatement = 32

  init(_ db: Database, now: Double = Date().timeIntervalSince1970) throws {
    guard let connection = db.sqliteConnection else {
      throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the connection is closed")
    }
    self.db = db
    self.connection = connection
    self.now = now
    insertClient = try db.cachedStatement(
      sql: """
        INSERT INTO clients
          (id, name, inn, kpp, potential, updated_at, inn_valid, domains, emails, phones, keys)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """)
    insertContact = try db.cachedStatement(
      sql: """
        INSERT INTO contacts
          (id, client_id, name, updated_at, emails, phones, messengers, keys)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """)
    pendingKeys.reserveCapacity(Self.keysPerStatement * 2)
    texts.reserveCapacity(8_192)
    textParameters.reserveCapacity(Self.keysPerStatement * 4)
  }

  /// Writes the records in order.
  mutating func write(_ records: [NormalizedDirectoryRecord]) throws {
    for item in records {
      switch item.record {
      case .client(let client):
        try write(client, keys: item.keys, item: item)
      case .contact(let contact):
        try write(contact, keys: item.keys, item: item)
      case .interest:
        try replace(item)
      }
    }
    try flushKeys(all: true)
  }

  /// Stores a record the general way, after the keys queued before it.
  private mutating func replace(_ item: NormalizedDirectoryRecord) throws {
    try flushKeys(all: true)
    try InletDatabase.store(item, change: &change, in: db)
  }

  private mutating func write(
    _ client: DirectoryClient, keys: [DirectoryKey], item: NormalizedDirectoryRecord
  ) throws {
    let statement = insertClient.sqliteStatement
    try text(statement, 1, client.id)
    try text(statement, 2, client.name)
    try text(statement, 3, client.inn)
    try text(statement, 4, client.kpp)
    try check(sqlite3_bind_int(statement, 5, client.potential ? 1 : 0))
    try check(sqlite3_bind_double(statement, 6, now))
    if let valid = client.innValid {
      try check(sqlite3_bind_int(statement, 7, valid ? 1 : 0))
    } else {
      try check(sqlite3_bind_null(statement, 7))
    }
    try text(statement, 8, client.domains)
    try text(statement, 9, client.emails)
    try text(statement, 10, client.phones)
    try text(statement, 11, InletDatabase.keysText(keys))
    try stepWithTexts(statement)
    if sqlite3_changes(connection) == 0 {
      try replace(item)
    } else {
      try queue(keys, recordType: "client", id: client.id)
    }
  }

  private mutating func write(
    _ contact: DirectoryContact, keys: [DirectoryKey], item: NormalizedDirectoryRecord
  ) throws {
    let statement = insertContact.sqliteStatement
    try text(statement, 1, contact.id)
    try text(statement, 2, contact.clientID)
    try text(statement, 3, contact.name)
    try check(sqlite3_bind_double(statement, 4, now))
    try text(statement, 5, contact.emails)
    try text(statement, 6, contact.phones)
    try text(statement, 7, contact.messengers)
    try text(statement, 8, InletDatabase.keysText(keys))
    try stepWithTexts(statement)
    if sqlite3_changes(connection) == 0 {
      try replace(item)
    } else {
      try queue(keys, recordType: "contact", id: contact.id)
    }
  }

  /// Queues the keys of a record that had none.
  private mutating func queue(_ keys: [DirectoryKey], recordType: String, id: String) throws {
    for key in keys { pendingKeys.append(PendingKey(key: key, recordType: recordType, id: id)) }
    if pendingKeys.count >= Self.keysPerStatement { try flushKeys(all: false) }
  }

  /// Writes the queued keys in full statements, and with `all` the rest too.
  private mutating func flushKeys(all: Bool) throws {
    var start = 0
    while pendingKeys.count - start >= Self.keysPerStatement
      || (all && start < pendingKeys.count)
    {
      let rows = min(Self.keysPerStatement, pendingKeys.count - start)
      let statement = try insertKeys(rows: rows).sqliteStatement
      for row in 0..<rows {
        let pending = pendingKeys[start + row]
        let first = Int32(row * 4)
        try text(statement, first + 1, pending.key.kind.rawValue)
        try text(statement, first + 2, pending.key.value)
        try text(statement, first + 3, pending.recordType)
        try text(statement, first + 4, pending.id)
      }
      try stepWithTexts(statement)
      start += rows
    }
    pendingKeys.removeFirst(start)
  }

  private mutating func insertKeys(rows: Int) throws -> Statement {
    if let statement = insertKeys[rows] { return statement }
    let values = Array(repeating: "(?, ?, ?, ?)", count: rows).joined(separator: ", ")
    let statement = try db.cachedStatement(
      sql: "INSERT OR IGNORE INTO directory_keys (kind, value, record_type, record_id) VALUES "
        + values)
    insertKeys[rows] = statement
    return statement
  }

  // MARK: - SQLite

  /// Tells SQLite to copy bound text, which lives only for the call.
  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  /// Runs a bound statement and resets it for the next row.
  private func step(_ statement: OpaquePointer) throws {
    let code = sqlite3_step(statement)
    guard code == SQLITE_DONE else {
      let error = error(code)
      sqlite3_reset(statement)
      throw error
    }
    try check(sqlite3_reset(statement))
  }

  /// Sets a text parameter (NULL for `nil`) of the statement to run next with
  /// ``stepWithTexts(_:)``, which binds the texts without SQLite copying each one.
  private mutating func text(_ statement: OpaquePointer, _ index: Int32, _ value: String?)
    throws
  {
    guard let value else {
      try check(sqlite3_bind_null(statement, index))
      return
    }
    let start = texts.count
    texts.append(contentsOf: value.utf8)
    textParameters.append(TextParameter(index: index, start: start, count: texts.count - start))
  }

  /// A list as `joined` in ``InletDatabase`` stores it: one value per line, NULL when empty.
  private mutating func text(_ statement: OpaquePointer, _ index: Int32, _ values: [String])
    throws
  {
    guard !values.isEmpty else {
      try check(sqlite3_bind_null(statement, index))
      return
    }
    let start = texts.count
    for (position, value) in values.enumerated() {
      if position > 0 { texts.append(UInt8(ascii: "\n")) }
      texts.append(contentsOf: value.utf8)
    }
    textParameters.append(TextParameter(index: index, start: start, count: texts.count - start))
  }

  /// Binds the texts set since the last run as pointers into `texts` (SQLITE_STATIC: no copy,
  /// no allocation), runs the statement while they are valid, and unbinds them.
  private mutating func stepWithTexts(_ statement: OpaquePointer) throws {
    defer {
      texts.removeAll(keepingCapacity: true)
      textParameters.removeAll(keepingCapacity: true)
    }
    try texts.withUnsafeBufferPointer { buffer in
      for parameter in textParameters {
        let code: Int32
        if parameter.count == 0 {
          code = sqlite3_bind_text(statement, parameter.index, "", 0, Self.transient)
        } else {
          code = (buffer.baseAddress! + parameter.start).withMemoryRebound(
            to: CChar.self, capacity: parameter.count
          ) { sqlite3_bind_text(statement, parameter.index, $0, Int32(parameter.count), nil) }
        }
        if code != SQLITE_OK {
          sqlite3_clear_bindings(statement)
          throw error(code)
        }
      }
      defer { sqlite3_clear_bindings(statement) }
      try step(statement)
    }
  }

  private func check(_ code: Int32) throws {
    guard code == SQLITE_OK else { throw error(code) }
  }

  private func error(_ code: Int32) -> DatabaseError {
    DatabaseError(
      resultCode: ResultCode(rawValue: code),
      message: String(cString: sqlite3_errmsg(connection)))
  }
}
