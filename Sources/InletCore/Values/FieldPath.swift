/// A path into a decoded body: `message.from.id`, `fields[email][value]` or `contact_info.phone`.
///
/// Dots and bracket pairs both separate segments, so the PHP-style names web forms send and the
/// nested JSON of messengers address the same tree.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
  /// The segments, outermost first.
  public let segments: [String]
  /// The first segment lower-cased, computed once: field names are matched ignoring case.
  public let foldedHead: String

  /// Parses a textual path; `nil` for an empty one.
  public init?(_ text: String) {
    var segments: [String] = []
    var current = ""
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      switch character {
      case ".", "[", "]":
        if !current.isEmpty { segments.append(current) }
        current = ""
      default:
        current.append(character)
      }
      index = text.index(after: index)
    }
    if !current.isEmpty { segments.append(current) }
    guard !segments.isEmpty else { return nil }
    self.segments = segments
    self.foldedHead = segments[0].lowercased()
  }

  /// The first segment: the top-level field a path consumes.
  public var head: String { segments[0] }

  public var description: String { segments.joined(separator: ".") }
}
