import Foundation

/// Turns CSV rows into directory records by their header: known field names (as in the JSON
/// records), optionally renamed by a column map (`Наименование=name`), list cells split on `|`.
public struct DirectoryRowMapper: Sendable {
  public let kind: DirectoryKind
  /// For each column, the record field it fills (`nil`: ignored).
  public let fields: [String?]
  /// Header names that map to no field.
  public let ignoredColumns: [String]

  /// The fields each kind has.
  public static func fieldNames(_ kind: DirectoryKind) -> [String] {
    switch kind {
    case .clients: return ["id", "name", "inn", "kpp", "domains", "emails", "phones", "potential"]
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
  }

  /// The record of one row, or why the row is malformed.
  public func record(_ row: [String]) throws(DirectoryImportError) -> DirectoryRecord {
    guard row.count == fields.count else {
      throw DirectoryImportError("expected \(fields.count) fields, found \(row.count)")
    }
    var values: [String: String] = [:]
    for (field, value) in zip(fields, row) {
      guard let field else { continue }
      let trimmed = value.trimmedSpaces
      if !trimmed.isEmpty { values[field] = trimmed }
    }
    guard let id = values["id"] else { throw DirectoryImportError("the id is empty") }
    switch kind {
    case .clients:
      var potential = false
      if let text = values["potential"] {
        guard let flag = Self.flag(text) else {
          throw DirectoryImportError("potential: `\(text)` is not true/false (1/0, да/нет)")
        }
        potential = flag
      }
      return .client(
        DirectoryClient(
          id: id, name: values["name"], inn: values["inn"], kpp: values["kpp"],
          domains: Self.list(values["domains"]), emails: Self.list(values["emails"]),
          phones: Self.list(values["phones"]), potential: potential))
    case .contacts:
      return .contact(
        DirectoryContact(
          id: id, clientID: values["client_id"], name: values["name"],
          emails: Self.list(values["emails"]), phones: Self.list(values["phones"]),
          messengers: Self.list(values["messengers"])))
    case .interests:
      var status = DirectoryInterest.Status.open
      if let text = values["status"] {
        guard let parsed = DirectoryInterest.Status(rawValue: text.lowercased()) else {
          throw DirectoryImportError("status: `\(text)` is not `open` or `closed`")
        }
        status = parsed
      }
      var updatedAt: Date?
      if let text = values["updated_at"] {
        guard let date = DirectoryDate.parse(text) else {
          throw DirectoryImportError(
            "updated_at: `\(text)` is not a date (RFC 3339, YYYY-MM-DD or DD.MM.YYYY HH:MM:SS)")
        }
        updatedAt = date
      }
      return .interest(
        DirectoryInterest(
          id: id, clientID: values["client_id"], contactID: values["contact_id"],
          title: values["title"], stage: values["stage"], status: status, updatedAt: updatedAt))
    }
  }

  static func list(_ cell: String?) -> [String] {
    guard let cell else { return [] }
    return cell.split(separator: "|").map(\.trimmedSpaces)
      .filter { !$0.isEmpty }
  }

  static func flag(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "1", "true", "yes", "y", "да", "истина": return true
    case "0", "false", "no", "n", "нет", "ложь": return false
    default: return nil
    }
  }
}
