/// A path into a decoded body: `message.from.id`, `fields[email][value]` or `contact_info.phone`.
///
/// Dots and bracket pairs both separate segments, so the PHP-style names web forms send and the
/// nested JSON of messengers address the same tree. In a list, a number picks an item by its
/// position and `?name=value` the first item whose `name` reads `value`
/// (`chat.messages.?type=visitor.message`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
  /// The segments, outermost first.
  public let segments: [String]
  /// The first segment lower-cased, computed once: field names are matched ignoring case.
  public let foldedHead: String
  /// For a one-segment path ending in `*` (`tel-*`), what the field's name starts with: the
  /// first such field (by name) with a value is taken. Contact Form 7 names a new field
  /// `tel-715`, `email-42`, a number of its own.
  public let prefix: String?

  /// Parses a textual path; `nil` for an empty one.
  public init?(_ text: String) {
    // The separators are ASCII, so the UTF-8 bytes can be split without decoding characters.
    var segments: [String] = []
    let utf8 = text.utf8
    var start = utf8.startIndex
    var index = start
    while index < utf8.endIndex {
      switch utf8[index] {
      case UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"):
        if start < index { segments.append(String(text[start..<index])) }
        index = utf8.index(after: index)
        start = index
      default:
        index = utf8.index(after: index)
      }
    }
    if start < index { segments.append(String(text[start..<index])) }
    guard !segments.isEmpty else { return nil }
    self.segments = segments
    self.foldedHead = segments[0].lowercasedIfNeeded
    prefix =
      segments.count == 1 && foldedHead.utf8.count > 1 && foldedHead.hasSuffix("*")
      ? String(foldedHead.dropLast()) : nil
  }

  /// The first segment: the top-level field a path consumes.
  public var head: String { segments[0] }

  public var description: String { segments.joined(separator: ".") }
}

extension KeyedDecodingContainer {
  /// One path or a list of them (`key: a.b` or `key: [a.b, c]`), each checked as a path.
  func fieldPaths(forKey key: Key) throws -> [FieldPath] {
    let texts: [String]
    if let single = try? decode(String.self, forKey: key) {
      texts = [single]
    } else {
      texts = try decode([String].self, forKey: key)
    }
    return try texts.map { try FieldPath.decoding($0, at: codingPath + [key]) }
  }
}
