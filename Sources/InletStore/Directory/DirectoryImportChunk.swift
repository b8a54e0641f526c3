import InletCore

/// A chunk of a directory import laid out for the writer: every text the writer binds is
/// already in one byte buffer, so the writer (the one serial part of an import) only points
/// SQLite at it and steps. Built by ``init(_:)`` beside the writer, on another core.
public struct DirectoryImportChunk: Sendable {
  /// The records, for the rows already stored (written the general way) and for interests.
  let items: [NormalizedDirectoryRecord]
  /// Every text, back to back.
  let bytes: [UInt8]
  /// Text parameters, `Self.clientTexts` per client row and `Self.contactTexts` per contact row.
  let texts: [Text]
  let rows: [Row]
  /// Four texts per key (kind, value, record type, record id), in the order of the rows.
  let keyTexts: [Text]

  /// A slice of ``bytes``; `count` −1 is NULL.
  struct Text {
    var start: Int32
    var count: Int32

    static let null = Text(start: 0, count: -1)
  }

  struct Row {
    enum Kind { case client, contact, other }
    var kind: Kind
    /// The item this row stands for.
    var item: Int32
    /// The first of its texts in ``texts``.
    var firstText: Int32
    /// Its keys: `keyCount` keys from `firstKey` (in keys, not texts).
    var firstKey: Int32
    var keyCount: Int32
    /// Client flags: `potential`, and `innValid` as 1, 0 or −1 (NULL).
    var potential: Int8
    var innValid: Int8
  }

  /// id, name, inn, kpp, domains, emails, phones, keys
  static let clientTexts = 8
  /// id, client_id, name, emails, phones, messengers, keys
  static let contactTexts = 7

  public var count: Int { items.count }

  public init(_ items: [NormalizedDirectoryRecord]) {
    var builder = Builder()
    builder.reserve(items.count)
    for (index, item) in items.enumerated() { builder.add(item, at: index) }
    self.items = items
    bytes = builder.bytes
    texts = builder.texts
    rows = builder.rows
    keyTexts = builder.keyTexts
  }

  private struct Builder {
    var bytes: [UInt8] = []
    var texts: [Text] = []
    var rows: [Row] = []
    var keyTexts: [Text] = []
    var keyCount: Int32 = 0
    /// Where the record types are, each stored once.
    var clientWord = Text.null
    var contactWord = Text.null

    mutating func reserve(_ count: Int) {
      bytes.reserveCapacity(count * 160)
      texts.reserveCapacity(count * DirectoryImportChunk.clientTexts)
      rows.reserveCapacity(count)
      keyTexts.reserveCapacity(count * 16)
      clientWord = append(DirectoryHit.RecordType.client.rawValue)
      contactWord = append(DirectoryHit.RecordType.contact.rawValue)
    }

    mutating func append(_ value: String?) -> Text {
      guard var value else { return .null }
      let start = bytes.count
      value.withUTF8 { bytes.append(contentsOf: $0) }
      return Text(start: Int32(start), count: Int32(bytes.count - start))
    }

    /// A list as ``InletDatabase`` stores it: one value per line, NULL when empty.
    mutating func append(_ values: [String]) -> Text {
      guard !values.isEmpty else { return .null }
      let start = bytes.count
      for (position, value) in values.enumerated() {
        if position > 0 { bytes.append(UInt8(ascii: "\n")) }
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
      }
      return Text(start: Int32(start), count: Int32(bytes.count - start))
    }

    /// The `keys` column: `kind<TAB>value` lines, NULL when there are none.
    mutating func append(_ keys: [DirectoryKey]) -> Text {
      guard !keys.isEmpty else { return .null }
      let start = bytes.count
      for (position, key) in keys.enumerated() {
        if position > 0 { bytes.append(UInt8(ascii: "\n")) }
        var kind = key.kind.rawValue
        kind.withUTF8 { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\t"))
        var value = key.value
        value.withUTF8 { bytes.append(contentsOf: $0) }
      }
      return Text(start: Int32(start), count: Int32(bytes.count - start))
    }

    mutating func add(_ item: NormalizedDirectoryRecord, at index: Int) {
      let firstText = Int32(texts.count)
      let firstKey = keyCount
      let id: Text
      let type: Text
      var row = Row(
        kind: .other, item: Int32(index), firstText: firstText, firstKey: firstKey, keyCount: 0,
        potential: 0, innValid: -1)
      switch item.record {
      case .client(let client):
        row.kind = .client
        id = append(client.id)
        type = clientWord
        texts.append(id)
        texts.append(append(client.name))
        texts.append(append(client.inn))
        texts.append(append(client.kpp))
        texts.append(append(client.domains))
        texts.append(append(client.emails))
        texts.append(append(client.phones))
        texts.append(append(item.keys))
        row.potential = client.potential ? 1 : 0
        row.innValid = client.innValid.map { $0 ? 1 : 0 } ?? -1
      case .contact(let contact):
        row.kind = .contact
        id = append(contact.id)
        type = contactWord
        texts.append(id)
        texts.append(append(contact.clientID))
        texts.append(append(contact.name))
        texts.append(append(contact.emails))
        texts.append(append(contact.phones))
        texts.append(append(contact.messengers))
        texts.append(append(item.keys))
      case .interest:
        rows.append(row)
        return
      }
      for key in item.keys {
        keyTexts.append(append(key.kind.rawValue))
        keyTexts.append(append(key.value))
        keyTexts.append(type)
        keyTexts.append(id)
      }
      row.keyCount = Int32(item.keys.count)
      keyCount += row.keyCount
      rows.append(row)
    }
  }
}
