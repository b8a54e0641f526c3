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

  /// One per item, in the same order.
  struct Row {
    enum Kind { case client, contact, other }
    var kind: Kind
    /// The first of its texts in ``texts``.
    var firstText: Int32
    /// Its keys: `keyCount` keys from `firstKey` (in keys, not texts).
    var firstKey: Int32
    var keyCount: Int32
    /// Client flags: `potential`, `person`, and `innValid` as 1, 0 or −1 (NULL).
    var potential: Int8
    var person: Int8
    var innValid: Int8
  }

  /// id, name, inn, kpp, domains, emails, phones, keys
  static let clientTexts = 8
  /// id, client_id, name, emails, phones, messengers, keys
  static let contactTexts = 7

  public init(_ items: [NormalizedDirectoryRecord]) {
    var builder = Builder()
    builder.reserve(items.count)
    for item in items { builder.add(item) }
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
      guard let value else { return .null }
      let start = bytes.count
      bytes.append(value)
      return Text(start: Int32(start), count: Int32(bytes.count - start))
    }

    /// A list as ``InletDatabase`` stores it: one value per line, NULL when empty.
    mutating func append(_ values: [String]) -> Text {
      appendLines(values) { bytes, value in bytes.append(value) }
    }

    /// The `keys` column (``InletDatabase/keysText(_:)``): `kind<TAB>value` lines, NULL when
    /// there are none.
    mutating func append(_ keys: [DirectoryKey]) -> Text {
      appendLines(keys) { bytes, key in
        bytes.append(key.kind.rawValue)
        bytes.append(UInt8(ascii: "\t"))
        bytes.append(key.value)
      }
    }

    /// Elements written one per line, NULL when there are none.
    private mutating func appendLines<Element>(
      _ elements: [Element], _ write: (inout [UInt8], Element) -> Void
    ) -> Text {
      guard !elements.isEmpty else { return .null }
      let start = bytes.count
      for (position, element) in elements.enumerated() {
        if position > 0 { bytes.append(UInt8(ascii: "\n")) }
        write(&bytes, element)
      }
      return Text(start: Int32(start), count: Int32(bytes.count - start))
    }

    mutating func add(_ item: NormalizedDirectoryRecord) {
      let id: Text
      let type: Text
      var row = Row(
        kind: .other, firstText: Int32(texts.count), firstKey: Int32(keyTexts.count / 4),
        keyCount: 0, potential: 0, person: 0, innValid: -1)
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
        row.person = client.person ? 1 : 0
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
      rows.append(row)
    }
  }
}

extension [UInt8] {
  /// Appends the string's UTF-8 bytes.
  fileprivate mutating func append(_ text: String) {
    var text = text
    text.withUTF8 { append(contentsOf: $0) }
  }
}
