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
    var pairs: [(name: String, value: String)] = []
    let count = buffer.count
    var start = 0
    while start < count {
      var end = start
      while end < count && buffer[end] != UInt8(ascii: "&") { end += 1 }
      if end > start {
        var equals = start
        while equals < end && buffer[equals] != UInt8(ascii: "=") { equals += 1 }
        guard let name = bytes(buffer[start..<equals]).flatMap(decoding) else { return nil }
        let value = equals < end ? bytes(buffer[(equals + 1)..<end]).flatMap(decoding) : ""
        guard let value else { return nil }
        if !name.isEmpty { pairs.append((name: name, value: value)) }
      }
      start = end + 1
    }
    return pairs
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
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
        UInt8(ascii: "."), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = Array("0123456789ABCDEF".utf8)
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
struct FormTree {
  private(set) var value: Value = .object([:])

  mutating func insert(name: String, value fieldValue: String) {
    let path = Self.segments(of: name)
    value = Self.insert(into: value, path: path[...], leaf: .string(fieldValue))
  }

  /// `a[b][]` → `["a", "b", ""]`; an empty segment appends to an array.
  static func segments(of name: String) -> [String] {
    guard let open = name.firstIndex(of: "["), name.hasSuffix("]"), open != name.startIndex else {
      return [name]
    }
    var segments = [String(name[..<open])]
    var rest = name[open...]
    while rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { return [name] }
      segments.append(String(rest[rest.index(after: rest.startIndex)..<close]))
      rest = rest[rest.index(after: close)...]
    }
    return rest.isEmpty ? segments : [name]
  }

  private static func insert(into node: Value, path: ArraySlice<String>, leaf: Value) -> Value {
    guard let key = path.first else { return leaf }
    let rest = path.dropFirst()
    if key.isEmpty {
      var items: [Value]
      if case .array(let existing) = node { items = existing } else { items = [] }
      items.append(insert(into: .null, path: rest, leaf: leaf))
      return .array(items)
    }
    var members = node.object ?? [:]
    if rest.isEmpty, let existing = members[key] {
      // The same plain name twice: keep every value rather than silently dropping one.
      if case .array(var items) = existing {
        items.append(leaf)
        members[key] = .array(items)
      } else {
        members[key] = .array([existing, leaf])
      }
    } else {
      members[key] = insert(into: members[key] ?? .null, path: rest, leaf: leaf)
    }
    return .object(members)
  }
}
