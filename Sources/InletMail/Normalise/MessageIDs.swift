/// Reads `Message-ID`, `In-Reply-To` and `References` values into bare ids.
enum MessageIDs {
  /// Every `<id>` in the value; a value without brackets counts as whitespace-separated ids.
  static func parse(_ raw: [UInt8]) -> [String] {
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
