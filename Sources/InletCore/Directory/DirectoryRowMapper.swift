import Foundation

/// Turns CSV rows into directory records by their header: known field names (as in the JSON
/// records), optionally renamed by a column map (`Наименование=name`), list cells split on `|`.
public struct DirectoryRowMapper: Sendable {
  public let kind: DirectoryKind
  /// For each column, the record field it fills (`nil`: ignored).
  public let fields: [String?]
  /// Header names that map to no field.
  public let ignoredColumns: [String]
  /// For each name of ``fieldNames(_:)``, in order, the column that fills it.
  private let columnOfField: [Int?]

  /// The fields each kind has.
  public static func fieldNames(_ kind: DirectoryKind) -> [String] {
    switch kind {
    case .clients:
      return ["id", "name", "inn", "kpp", "domains", "emails", "phones", "potential", "person"]
    case .contacts: return ["id", "client_id", "name", "emails", "phones", "messengers"]
    case .interests:
      return ["id", "client_id", "contact_id", "title", "stage", "status", "updated_at"]
    }
  }

  /// Maps `header` (with `columnMap` from header name to field name, matched
  /// case-insensitively); throws when a mapped field is unknown or there is no `id` column.
  public init(kind: DirectoryKind, header: [String], columnMap: [String: String] = [:])
    throws(DirectoryImportError)
  {
    self.kind = kind
    let known = Set(Self.fieldNames(kind))
    var renames: [String: String] = [:]
    for (column, field) in columnMap {
      let target = field.trimmingCharacters(in: .whitespaces).lowercased()
      guard known.contains(target) else {
        throw DirectoryImportError(
          "the column map names `\(field)`, which \(kind.rawValue) do not have (fields: "
            + Self.fieldNames(kind).joined(separator: ", ") + ")")
      }
      renames[column.trimmingCharacters(in: .whitespaces).lowercased()] = target
    }
    var fields: [String?] = []
    var ignored: [String] = []
    var seen: Set<String> = []
    for (position, raw) in header.enumerated() {
      var name = raw.trimmingCharacters(in: .whitespaces).lowercased()
      if position == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
      let field = renames[name] ?? (known.contains(name) ? name : nil)
      if let field {
        guard seen.insert(field).inserted else {
          throw DirectoryImportError("two columns fill the field `\(field)`")
        }
      } else {
        ignored.append(raw)
      }
      fields.append(field)
    }
    guard seen.contains("id") else {
      throw DirectoryImportError(
        "the header has no `id` column (use --map 'YOUR HEADER=id'); header: "
          + header.joined(separator: ", "))
    }
    self.fields = fields
    self.ignoredColumns = ignored
    self.columnOfField = Self.fieldNames(kind).map { fields.firstIndex(of: $0) }
  }

  /// The record of one row, or why the row is malformed.
  public func record(_ row: [String]) throws(DirectoryImportError) -> DirectoryRecord {
    guard row.count == fields.count else {
      throw DirectoryImportError("expected \(fields.count) fields, found \(row.count)")
    }
    // The trimmed, non-empty cell of the field at `position` in `fieldNames(kind)`.
    func value(_ position: Int) -> String? {
      guard let column = columnOfField[position] else { return nil }
      let trimmed = row[column].trimmedSpaces
      return trimmed.isEmpty ? nil : trimmed
    }
    guard let id = value(0) else { throw DirectoryImportError("the id is empty") }
    switch kind {
    case .clients:
      // id, name, inn, kpp, domains, emails, phones, potential, person
      func flag(_ position: Int, _ name: String) throws(DirectoryImportError) -> Bool {
        guard let text = value(position) else { return false }
        guard let flag = Self.flag(text) else {
          throw DirectoryImportError("\(name): `\(text)` is not true/false (1/0, да/нет)")
        }
        return flag
      }
      return .client(
        DirectoryClient(
          id: id, name: value(1), inn: value(2), kpp: value(3), domains: Self.list(value(4)),
          emails: Self.list(value(5)), phones: Self.list(value(6)),
          potential: try flag(7, "potential"), person: try flag(8, "person")))
    case .contacts:
      // id, client_id, name, emails, phones, messengers
      return .contact(
        DirectoryContact(
          id: id, clientID: value(1), name: value(2), emails: Self.list(value(3)),
          phones: Self.list(value(4)), messengers: Self.list(value(5))))
    case .interests:
      // id, client_id, contact_id, title, stage, status, updated_at
      var status = DirectoryInterest.Status.open
      if let text = value(5) {
        guard let parsed = DirectoryInterest.Status(rawValue: text.lowercased()) else {
          throw DirectoryImportError("status: `\(text)` is not `open` or `closed`")
        }
        status = parsed
      }
      var updatedAt: Date?
      if let text = value(6) {
        guard let date = DirectoryDate.parse(text) else {
          throw DirectoryImportError(
            "updated_at: `\(text)` is not a date (RFC 3339, YYYY-MM-DD or DD.MM.YYYY HH:MM:SS)")
        }
        updatedAt = date
      }
      return .interest(
        DirectoryInterest(
          id: id, clientID: value(1), contactID: value(2), title: value(3), stage: value(4),
          status: status, updatedAt: updatedAt))
    }
  }

  static func list(_ cell: String?) -> [String] {
    guard let cell else { return [] }
    let bar = UInt8(ascii: "|")
    if !cell.utf8.contains(bar) {
      let value = cell.trimmedSpaces
      return value.isEmpty ? [] : [value]
    }
    if let values = cell.utf8.withContiguousStorageIfAvailable(listOfBytes), let values {
      return values
    }
    return cell.split(separator: "|").map(\.trimmedSpaces)
      .filter { !$0.isEmpty }
  }

  /// ``list(_:)`` on the bytes of a cell when every `|` in it stands between ASCII bytes (or
  /// at an end), so that it is a `Character` of its own; `nil` otherwise.
  private static func listOfBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
    let bar = UInt8(ascii: "|")
    var values: [String] = []
    var start = 0
    for index in 0...bytes.count {
      if index < bytes.count {
        guard bytes[index] == bar else { continue }
        guard index == 0 || bytes[index - 1] < 0x80,
          index + 1 == bytes.count || bytes[index + 1] < 0x80
        else { return nil }
      }
      var range = start..<index
      start = index + 1
      // ASCII white space here, any other in `trimmedSpaces`.
      while !range.isEmpty && ASCIIBytes.isSpace(bytes[range.lowerBound]) {
        range = range.lowerBound + 1..<range.upperBound
      }
      while !range.isEmpty && ASCIIBytes.isSpace(bytes[range.upperBound - 1]) {
        range = range.lowerBound..<range.upperBound - 1
      }
      if range.isEmpty { continue }
      let value = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        .trimmedSpaces
      if !value.isEmpty { values.append(value) }
    }
    return values
  }

  static func flag(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "1", "true", "yes", "y", "да", "истина": return true
    case "0", "false", "no", "n", "нет", "ложь": return false
    default: return nil
    }
  }
}
