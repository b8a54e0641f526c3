import Foundation
import GRDB
import GRDBSQLite

/// Values bound straight through the SQLite API to a cached statement's parameters: an encoded
/// JSON document goes in as its UTF-8 bytes, never becoming a `String` (whose creation checks
/// every byte again) nor a `StatementArguments` array. Used by the ingest hot path only.
struct DirectBindings {
  fileprivate let statement: OpaquePointer
  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  func text(_ index: Int32, _ value: String?) throws {
    guard var text = value else { return try check(sqlite3_bind_null(statement, index)) }
    try text.withUTF8 { try bindText(index, UnsafeRawBufferPointer($0)) }
  }

  /// Text given as UTF-8 bytes (valid UTF-8: our own JSON encoder's output).
  func text(_ index: Int32, utf8 bytes: [UInt8]) throws {
    try bytes.withUnsafeBytes { try bindText(index, $0) }
  }

  func blob(_ index: Int32, _ value: Data) throws {
    try value.withUnsafeBytes { buffer in
      try check(
        sqlite3_bind_blob(
          statement, index, Self.address(buffer), Int32(buffer.count), Self.transient))
    }
  }

  func integer(_ index: Int32, _ value: Int64?) throws {
    guard let value else { return try check(sqlite3_bind_null(statement, index)) }
    try check(sqlite3_bind_int64(statement, index, value))
  }

  func real(_ index: Int32, _ value: Double) throws {
    try check(sqlite3_bind_double(statement, index, value))
  }

  /// Binds bytes as TEXT; SQLite copies them (`SQLITE_TRANSIENT`).
  private func bindText(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
    try check(
      sqlite3_bind_text(
        statement, index, Self.address(bytes).assumingMemoryBound(to: CChar.self),
        Int32(bytes.count), Self.transient))
  }

  /// The buffer's address; an empty buffer may have none, and SQLite reads a null pointer as
  /// NULL, not as empty, so it gets a dummy one (zero bytes are read from it).
  private static func address(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
    bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
  }

  private func check(_ code: Int32) throws {
    guard code == SQLITE_OK else {
      throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind a value")
    }
  }
}

/// The current row of a statement stepped by ``Database/queryDirect(_:bind:row:)``.
struct DirectRow {
  fileprivate let statement: OpaquePointer

  func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

  func text(_ column: Int32) -> String? {
    guard let pointer = sqlite3_column_text(statement, column) else { return nil }
    let count = Int(sqlite3_column_bytes(statement, column))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
  }

  func integer(_ column: Int32) -> Int64? {
    isNull(column) ? nil : sqlite3_column_int64(statement, column)
  }
}

extension Database {
  /// Runs a cached query with its parameters bound by `bind`, calling `row` for each result
  /// row (no `Row` objects, no `StatementArguments`); the statement is left reset.
  func queryDirect(
    _ statement: Statement, bind: (DirectBindings) throws -> Void,
    row: (DirectRow) throws -> Void
  ) throws {
    let handle = statement.sqliteStatement
    sqlite3_reset(handle)
    sqlite3_clear_bindings(handle)
    defer {
      sqlite3_reset(handle)
      sqlite3_clear_bindings(handle)
    }
    try bind(DirectBindings(statement: handle))
    while true {
      let code = sqlite3_step(handle)
      if code == SQLITE_DONE { return }
      guard code == SQLITE_ROW else { throw stepError(statement) }
      try row(DirectRow(statement: handle))
    }
  }

  /// The first result row of a cached query, as `row` reads it; `nil` when there is none.
  func queryFirstDirect<T>(
    _ statement: Statement, bind: (DirectBindings) throws -> Void = { _ in },
    row: (DirectRow) throws -> T
  ) throws -> T? {
    var first: T?
    try queryDirect(statement, bind: bind) { current in
      if first == nil { first = try row(current) }
    }
    return first
  }

  /// Runs a cached statement that returns no rows, its parameters bound by `bind`; the
  /// statement is left reset with no bindings, as GRDB expects to find it.
  func executeDirect(_ statement: Statement, bind: (DirectBindings) throws -> Void) throws {
    try queryDirect(statement, bind: bind) { _ in }
  }

  /// SQLite's error for a failed step of `statement`, read before the statement is reset.
  private func stepError(_ statement: Statement) -> DatabaseError {
    DatabaseError(
      resultCode: ResultCode(rawValue: sqlite3_extended_errcode(sqliteConnection)),
      message: sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
  }
}
