import Foundation

/// A JSON-like value tree: what a decoded webhook body, a definition's constant or an inquiry's
/// `extra` field holds.
///
/// Numbers keep their textual form so that 64-bit provider ids (Telegram, VK) survive intact.
public enum Value: Sendable, Hashable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([Value])
  case object([String: Value])

  /// The scalar as text (`nil` for null, arrays and objects); what field mappings compare.
  public var text: String? {
    switch self {
    case .string(let s): return s
    case .number(let n): return n
    case .bool(let b): return b ? "true" : "false"
    // An XML element with attributes (`<address countryCode="7">tel:+7…</address>`) is an
    // object of `@attributes` and its `#text`: its text is that.
    case .object(let members):
      if case .string(let text)? = members["#text"] { return text }
      return nil
    case .null, .array: return nil
    }
  }

  /// The members of an object, or `nil`.
  public var object: [String: Value]? {
    if case .object(let members) = self { return members }
    return nil
  }

  /// Whether the value carries nothing a person would call data.
  public var isEmpty: Bool {
    switch self {
    case .null: return true
    case .string(let s): return s.trimmedSpaces.isEmpty
    case .array(let items): return items.allSatisfy(\.isEmpty)
    case .object(let members): return members.values.allSatisfy(\.isEmpty)
    case .bool, .number: return false
    }
  }

  /// Looks up one member of an object: exactly first, then ignoring case (Unicode-aware), since
  /// site builders send `Name`, `NAME` or `name` for the same field.
  public func member(_ key: String) -> Value? {
    switch self {
    case .object(let members):
      if let exact = members[key] { return exact }
      let folded = key.lowercasedIfNeeded
      return members.first { $0.key.lowercases(to: folded) }?.value
    case .array(let items):
      if key.utf8.first == UInt8(ascii: "?") { return Self.first(of: items, where: key) }
      guard let index = Int(key), items.indices.contains(index) else { return nil }
      return items[index]
    default:
      return nil
    }
  }

  /// A selector segment, `?name=value`: the list's first item whose member `name` reads
  /// `value` (a chat's first `?type=visitor` message, whoever wrote before it).
  private static func first(of items: [Value], where selector: String) -> Value? {
    let condition = selector.dropFirst()
    guard let equals = condition.firstIndex(of: "=") else { return nil }
    let name = String(condition[..<equals])
    let wanted = condition[condition.index(after: equals)...]
    return items.first { $0.member(name)?.text.map { $0[...] == wanted } ?? false }
  }

  /// Follows a field path from an already folded root (one request maps many paths).
  func value(at path: FieldPath, root: FoldedObject) -> Value? {
    let found =
      root.keysFolded
      ? root.folded[path.foldedHead] : root.members[path.head] ?? root.folded[path.foldedHead]
    guard let first = found else { return nil }
    var current = first
    for segment in path.segments.dropFirst() {
      guard let value = current.member(segment) else { return nil }
      current = value
    }
    return current
  }

  /// Follows a field path (see ``FieldPath``).
  public func value(at path: FieldPath) -> Value? {
    var current: Value? = self
    for segment in path.segments {
      guard let value = current?.member(segment) else { return nil }
      current = value
    }
    return current
  }
}

extension Value: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? container.decode(Int64.self) {
      self = .number(String(i))
    } else if let u = try? container.decode(UInt64.self) {
      self = .number(String(u))
    } else if let d = try? container.decode(Double.self) {
      // Exact where a Double is not (a reference beyond 64 bits) when a Decimal holds it. (Only
      // for what decodes as a number: a YAML decoder reads «12h» as the Decimal 12.)
      if let decimal = try? container.decode(Decimal.self), decimal.isFinite, d.isFinite,
        d.rounded() != d || abs(d) >= 1e15
      {
        self = .number(decimal.description)
      } else {
        self = .number(Value.format(d))
      }
    } else if let s = try? container.decode(String.self) {
      self = .string(s)
    } else if let a = try? container.decode([Value].self) {
      self = .array(a)
    } else {
      self = .object(try container.decode([String: Value].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let b): try container.encode(b)
    case .number(let n):
      if let i = Int64(n) {
        try container.encode(i)
      } else if let u = UInt64(n) {
        try container.encode(u)
      } else if let decimal = Decimal(string: n, locale: Locale(identifier: "en_US_POSIX")),
        decimal.isFinite, decimal.description.count <= n.count + 1
      {
        try container.encode(decimal)
      } else if let d = Double(n), d.isFinite {
        try container.encode(d)
      } else {
        try container.encode(n)
      }
    case .string(let s): try container.encode(s)
    case .array(let a): try container.encode(a)
    case .object(let o): try container.encode(o)
    }
  }

  static func format(_ d: Double) -> String {
    if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
    return String(d)
  }
}

extension Value: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self = .string(value) }
}

/// An object's members by exact and by lower-cased name, built once per request so that trying
/// many aliases (`name`, `имя`, `фио`, …) does not lower-case every member each time.
struct FoldedObject {
  let members: [String: Value]
  let folded: [String: Value]
  /// Every key is already lower-case (the usual form): `folded` is `members`, and one lookup
  /// answers what an exact and then a folded lookup would.
  let keysFolded: Bool

  init(_ value: Value) {
    members = value.object ?? [:]
    if members.keys.allSatisfy(\.isLowercase) {
      folded = members
      keysFolded = true
      return
    }
    var folded: [String: Value] = [:]
    folded.reserveCapacity(members.count)
    for (key, member) in members { folded[key.lowercased()] = folded[key.lowercased()] ?? member }
    self.folded = folded
    keysFolded = false
  }
}
