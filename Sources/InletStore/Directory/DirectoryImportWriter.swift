import Foundation
import GRDB
import GRDBSQLite
import InletCore

/// Writes the chunks of a directory import: the rows and keys of each record with cached
/// prepared statements, every text bound as a pointer into the chunk's byte buffer (prepared by
/// ``DirectoryImportChunk`` on another core; no copies, no `StatementArguments`).
///
/// A record new to the table is inserted with its keys and nothing else; there are no old keys
/// to delete, since keys only exist beside their record. A record that is already stored (an
/// update, or a row repeated in the file) goes through ``InletDatabase/store(_:change:in:)``,
/// which replaces it and its keys, so the result is the same as storing every row that way.
struct DirectoryImportWriter {
  private let db: Database
  private let connection: OpaquePointer
  private let now: Double
  private var change = DirectoryChange(everything: true)
  // Held for the chunk, so their SQLite statements stay valid while stepped directly.
  private let insertClient: Statement
  private let insertContact: Statement
  /// Multi-row key inserts by row count, up to ``keysPerStatement``.
  private var insertKeys: [Int: Statement] = [:]
  /// Keys of new records not written yet, in key numbers; written in multi-row statements,
  /// always before anything that could read or delete them. One range: a row that is not new
  /// writes the keys queued before it first, so the queued keys are always consecutive.
  private var pendingKeys = 0..<0

  /// The parameter numbers of the chunk's texts of a client row (id, name, inn, kpp, domains,
  /// emails, phones, keys) and a contact row (id, client_id, name, emails, phones, messengers,
  /// keys) in the insert statements below.
  private static let clientParameters: [Int32] = [1, 2, 3, 4, 8, 9, 10, 11]
  private static let contactParameters: [Int32] = [1, 2, 3, 5, 6, 7, 8]

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
          (id, name, inn, kpp, potential, updated_at, inn_valid, domains, emails, phones, keys,
           person)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """)
    insertContact = try db.cachedStatement(
      sql: """
        INSERT INTO contacts
          (id, client_id, name, updated_at, emails, phones, messengers, keys)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """)
  }

  /// Writes the chunk's records in order.
  mutating func write(_ chunk: DirectoryImportChunk) throws {
    try chunk.bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      try base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { bytes in
        // By index: an item (its strings) is only touched when a row is stored the general way.
        for (index, row) in chunk.rows.enumerated() {
          switch row.kind {
          case .client:
            let statement = insertClient.sqliteStatement
            let first = Int(row.firstText)
            try bind(statement, Self.clientParameters, chunk.texts, from: first, bytes)
            try check(sqlite3_bind_int(statement, 5, Int32(row.potential)))
            try check(sqlite3_bind_int(statement, 12, Int32(row.person)))
            try check(sqlite3_bind_double(statement, 6, now))
            if row.innValid < 0 {
              try check(sqlite3_bind_null(statement, 7))
            } else {
              try check(sqlite3_bind_int(statement, 7, Int32(row.innValid)))
            }
            try written(step(statement), row, index, chunk, bytes)
          case .contact:
            let statement = insertContact.sqliteStatement
            let first = Int(row.firstText)
            try bind(statement, Self.contactParameters, chunk.texts, from: first, bytes)
            try check(sqlite3_bind_double(statement, 4, now))
            try written(step(statement), row, index, chunk, bytes)
          case .other:
            try replace(chunk.items[index], chunk, bytes)
          }
        }
        try flushKeys(chunk, bytes)
      }
    }
  }

  /// After a row's insert: queues its keys when it was new, else stores it the general way.
  private mutating func written(
    _ inserted: Bool, _ row: DirectoryImportChunk.Row, _ index: Int,
    _ chunk: DirectoryImportChunk, _ bytes: UnsafePointer<CChar>
  ) throws {
    guard inserted else {
      try replace(chunk.items[index], chunk, bytes)
      return
    }
    let first = Int(row.firstKey)
    if pendingKeys.isEmpty { pendingKeys = first..<first }
    assert(first == pendingKeys.upperBound, "queued keys are consecutive")
    pendingKeys = pendingKeys.lowerBound..<first + Int(row.keyCount)
  }

  /// Stores a record the general way, after the keys queued before it.
  private mutating func replace(
    _ item: NormalizedDirectoryRecord, _ chunk: DirectoryImportChunk,
    _ bytes: UnsafePointer<CChar>
  ) throws {
    try flushKeys(chunk, bytes)
    try InletDatabase.store(item, change: &change, in: db)
  }

  /// Writes the queued keys, in multi-row statements.
  private mutating func flushKeys(
    _ chunk: DirectoryImportChunk, _ bytes: UnsafePointer<CChar>
  ) throws {
    var start = pendingKeys.lowerBound
    while start < pendingKeys.upperBound {
      let rows = min(Self.keysPerStatement, pendingKeys.upperBound - start)
      let statement = try insertKeys(rows: rows).sqliteStatement
      var parameter: Int32 = 1
      for key in start..<start + rows {
        for part in 0..<4 {
          try bind(statement, parameter, chunk.keyTexts[key * 4 + part], bytes)
          parameter += 1
        }
      }
      _ = try step(statement)
      start += rows
    }
    pendingKeys = 0..<0
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

  /// Binds consecutive texts of a row to the given parameter numbers.
  private func bind(
    _ statement: OpaquePointer, _ parameters: [Int32], _ texts: [DirectoryImportChunk.Text],
    from first: Int, _ bytes: UnsafePointer<CChar>
  ) throws {
    for (offset, parameter) in parameters.enumerated() {
      try bind(statement, parameter, texts[first + offset], bytes)
    }
  }

  /// Binds a text as a pointer into the chunk's bytes (no copy: the bytes outlive the step,
  /// and ``step(_:)`` clears the bindings), or NULL.
  private func bind(
    _ statement: OpaquePointer, _ parameter: Int32, _ text: DirectoryImportChunk.Text,
    _ bytes: UnsafePointer<CChar>
  ) throws {
    let code: Int32
    if text.count < 0 {
      code = sqlite3_bind_null(statement, parameter)
    } else if text.count == 0 {
      code = sqlite3_bind_text(statement, parameter, "", 0, Self.transient)
    } else {
      code = sqlite3_bind_text(statement, parameter, bytes + Int(text.start), text.count, nil)
    }
    if code != SQLITE_OK {
      sqlite3_clear_bindings(statement)
      throw error(code)
    }
  }

  /// Runs a bound statement, resets it and clears its bindings; whether it changed a row.
  private func step(_ statement: OpaquePointer) throws -> Bool {
    defer { sqlite3_clear_bindings(statement) }
    let code = sqlite3_step(statement)
    guard code == SQLITE_DONE else {
      let error = error(code)
      sqlite3_reset(statement)
      throw error
    }
    try check(sqlite3_reset(statement))
    return sqlite3_changes(connection) > 0
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
