/// Reads `Message-ID`, `In-Reply-To` and `References` values into bare ids.
enum MessageIDs {
  /// Every `<id>` in the value; a value without brackets counts as whitespace-separated ids.
  static func parse(_ raw: [UInt8]) -> [String] {
    // Message ids are ASCII in practice, where every byte is a character (CR LF aside, and
    // both are whitespace): the same reading on bytes, without breaking text into characters.
    if raw.allSatisfy({ $0 < 0x80 }), let ids = parseASCII(raw) { return ids }
    return parseCharacters(raw)
  }

  /// ``parse(_:)`` on ASCII bytes; `nil` when no bracketed id is found (the fallback, ids
  /// separated by whitespace, is left to the general path).
  static func parseASCII(_ raw: [UInt8]) -> [String]? {
    var ids: [String] = []
    var current: [UInt8]?
    for byte in raw {
      if byte == UInt8(ascii: "<") {
        current = []
      } else if byte == UInt8(ascii: ">") {
        if let id = current?.filter({ !ByteSearch.isASCIIWhitespace($0) }), !id.isEmpty {
          ids.append(String(decoding: id, as: UTF8.self))
        }
        current = nil
      } else if current != nil {
        current?.append(byte)
      }
    }
    return ids.isEmpty ? nil : ids
  }

  /// ``parse(_:)`` character by character, for any text.
  static func parseCharacters(_ raw: [UInt8]) -> [String] {
    let text = String(decoding: raw, as: UTF8.self)
    var ids: [String] = []
    var current: String?
    for character in text {
      if character == "<" {
        current = ""
      } else if character == ">" {
        if let id = current?.filter({ !$0.isWhitespace }), !id.isEmpty { ids.append(id) }
        current = nil
      } else if current != nil {
        current?.append(character)
      }
    }
    if ids.isEmpty {
      ids = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        .filter { $0.utf8.contains(UInt8(ascii: "@")) }
    }
    return ids
  }
}
