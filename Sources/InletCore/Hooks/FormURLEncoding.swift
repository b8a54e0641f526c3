/// `application/x-www-form-urlencoded` as browsers and PBXs send it.
public enum FormURLEncoding {
  /// Splits and percent-decodes `a=1&b=%D0%B8`; `nil` when an escape is broken or the decoded
  /// bytes are not UTF-8.
  public static func parse(_ text: String) -> [(name: String, value: String)]? {
    parse(text) { String(validating: $0, as: UTF8.self) }
  }

  /// The same, turning each component's decoded bytes into text with `decoding` (a legacy
  /// charset).
  public static func parse(_ text: String, decoding: ([UInt8]) -> String?)
    -> [(name: String, value: String)]?
  {
    var text = text
    return text.withUTF8 { parse(utf8: $0, decoding: decoding) }
  }

  /// The same over the UTF-8 bytes: fields are cut at `&` and `=` bytes, not by walking
  /// characters.
  static func parse(utf8 buffer: UnsafeBufferPointer<UInt8>, decoding: ([UInt8]) -> String?)
    -> [(name: String, value: String)]?
  {
    fields(utf8: buffer) { bytes($0).flatMap(decoding) }
  }

  /// Fields cut at `&` and `=` bytes, each side made text by `component` (`nil`: the whole
  /// parse fails); fields without a name are dropped.
  private static func fields(
    utf8 buffer: UnsafeBufferPointer<UInt8>,
    component: (Slice<UnsafeBufferPointer<UInt8>>) -> String?
  ) -> [(name: String, value: String)]? {
    var pairs: [(name: String, value: String)] = []
    let count = buffer.count
    var start = 0
    while start < count {
      var end = start
      while end < count && buffer[end] != UInt8(ascii: "&") { end += 1 }
      if end > start {
        var equals = start
        while equals < end && buffer[equals] != UInt8(ascii: "=") { equals += 1 }
        guard let name = component(buffer[start..<equals]) else { return nil }
        let value = equals < end ? component(buffer[(equals + 1)..<end]) : ""
        guard let value else { return nil }
        if !name.isEmpty { pairs.append((name: name, value: value)) }
      }
      start = end + 1
    }
    return pairs
  }

  /// A URL's query, read the way browsers and PHP read one: a broken escape (`%zz`) stays as
  /// written, and a component that is not UTF-8 is read in `legacy` (a windows-1251 PBX) or
  /// with U+FFFD for what cannot be read. Unlike ``parse(_:)`` it never gives up on the whole
  /// query for one bad component: the token or the caller's number next to it is still read.
  public static func parseQuery(_ text: String, legacy: LegacyCharset? = nil)
    -> [(name: String, value: String)]
  {
    var text = text
    return text.withUTF8 { buffer in
      fields(utf8: buffer) { raw in
        guard let decoded = bytes(raw) else { return String(decoding: raw, as: UTF8.self) }
        return String(validating: decoded, as: UTF8.self) ?? legacy?.decode(decoded)
          ?? String(decoding: decoded, as: UTF8.self)
      }
    } ?? []
  }

  /// Decodes one component: `+` is a space, `%XX` a byte.
  public static func decode(_ component: Substring) -> String? {
    bytes(component).flatMap { String(validating: $0, as: UTF8.self) }
  }

  /// The bytes of one component; `nil` for a broken escape.
  static func bytes(_ component: Substring) -> [UInt8]? {
    bytes(component.utf8)
  }

  static func bytes(_ component: some Collection<UInt8>) -> [UInt8]? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(component.count)
    var iterator = component.makeIterator()
    while let byte = iterator.next() {
      switch byte {
      case UInt8(ascii: "+"):
        bytes.append(UInt8(ascii: " "))
      case UInt8(ascii: "%"):
        guard let high = iterator.next().flatMap(hexValue),
          let low = iterator.next().flatMap(hexValue)
        else { return nil }
        bytes.append(high << 4 | low)
      default:
        bytes.append(byte)
      }
    }
    return bytes
  }

  /// Percent-encodes a component for a query string.
  public static func encode(_ text: String) -> String {
    percentEncode(text) { byte in
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
        UInt8(ascii: "."), UInt8(ascii: "~"):
        return true
      default:
        return false
      }
    }
  }

  /// `text` with every UTF-8 byte that `keeps` refuses written as `%XX` (upper-case hex).
  public static func percentEncode(_ text: String, keeping keeps: (UInt8) -> Bool) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out = ""
    for byte in text.utf8 {
      if keeps(byte) {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        out += "%"
        out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
        out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
      }
    }
    return out
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }
}

/// Builds a value tree from form names, nesting PHP-style brackets (`fields[email][value]`) and
/// collecting repeated names (`user[]`, or the same name twice) into arrays.
///
/// Fields are added to a tree of nodes changed in place and the value is made once at the end,
/// so a body of many fields costs in proportion to its size (building the value field by field
/// copied everything before each field). A name nested deeper than ``maxDepth`` is kept whole as
/// one flat name: a crafted `a[][][]…` cannot make the parser, or the value's teardown, recurse
/// without bound.
struct FormTree {
  private let root = Node(kind: .object)

  /// Bracket levels a name may nest (PHP's `max_input_nesting_level` is 64).
  static let maxDepth = 32

  var value: Value { root.value }

  mutating func insert(name: String, value fieldValue: String) {
    let path = Self.segments(of: name)
    Self.insert(into: root, path: path[...], leaf: .string(fieldValue))
  }

  /// `a[b][]` → `["a", "b", ""]`; an empty segment appends to an array. A name with more than
  /// ``maxDepth`` levels, or not of that shape, is one segment.
  static func segments(of name: String) -> [String] {
    guard let open = name.firstIndex(of: "["), name.hasSuffix("]"), open != name.startIndex else {
      return [name]
    }
    var segments = [String(name[..<open])]
    var rest = name[open...]
    while rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]"), segments.count <= maxDepth else { return [name] }
      segments.append(String(rest[rest.index(after: rest.startIndex)..<close]))
      rest = rest[rest.index(after: close)...]
    }
    return rest.isEmpty ? segments : [name]
  }

  /// A node of the tree being built: nothing yet, a value, an object or an array.
  private final class Node {
    enum Kind { case empty, leaf, object, array }
    var kind: Kind
    var leaf: Value = .null
    var members: [String: Node] = [:]
    var items: [Node] = []

    init(kind: Kind = .empty, leaf: Value = .null) {
      self.kind = kind
      self.leaf = leaf
    }

    /// Makes this node `kind`, dropping what it held when that was something else.
    func become(_ new: Kind) {
      guard kind != new else { return }
      kind = new
      leaf = .null
      members = [:]
      items = []
    }

    var value: Value {
      switch kind {
      case .empty: return .null
      case .leaf: return leaf
      case .object: return .object(members.mapValues(\.value))
      case .array: return .array(items.map(\.value))
      }
    }
  }

  private static func insert(into node: Node, path: ArraySlice<String>, leaf: Value) {
    guard let key = path.first else {
      node.become(.leaf)
      node.leaf = leaf
      return
    }
    let rest = path.dropFirst()
    if key.isEmpty {
      node.become(.array)
      let item = Node()
      insert(into: item, path: rest, leaf: leaf)
      node.items.append(item)
      return
    }
    node.become(.object)
    if rest.isEmpty, let existing = node.members[key] {
      // The same plain name twice: keep every value rather than silently dropping one.
      if existing.kind != .array {
        let first = Node(kind: existing.kind, leaf: existing.leaf)
        first.members = existing.members
        first.items = existing.items
        existing.become(.array)
        existing.items = [first]
      }
      existing.items.append(Node(kind: .leaf, leaf: leaf))
      return
    }
    let child: Node
    if let existing = node.members[key] {
      child = existing
    } else {
      child = Node()
      node.members[key] = child
    }
    insert(into: child, path: rest, leaf: leaf)
  }
}
