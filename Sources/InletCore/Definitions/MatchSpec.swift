import Foundation

/// Conditions on a request; all given must hold.
public struct MatchSpec: Sendable, Decodable {
  /// `GET`, `POST`.
  public var method: String?
  /// The sub-path after `/hooks/{channel}` (`/events/summary`); a trailing `*` matches a prefix.
  public var path: String?
  /// Decoded body fields.
  public var fields: [String: Expected]
  public var query: [String: Expected]
  public var headers: [String: Expected]
  /// Two body paths whose values must be present and equal (Telegram: a shared contact is the
  /// sender's own when `message.contact.user_id` is `message.from.id`).
  public var same: [FieldPath]?

  /// What a value must be: `"*"` any non-empty value, a string (case-insensitive; a `*` in it
  /// stands for any run of characters: `client:*`, `sip:*@*.sip.twilio.com`, and a `#` for one
  /// digit: `8##########`), or a list of alternatives.
  public enum Expected: Sendable, Decodable {
    case present
    case oneOf([String])

    public init(from decoder: any Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let list = try? c.decode([String].self) {
        self = .oneOf(list)
      } else {
        let text = try c.decode(String.self)
        self = text == "*" ? .present : .oneOf([text])
      }
    }

    func accepts(_ value: String?) -> Bool {
      guard let value, !value.isEmpty else { return false }
      switch self {
      case .present: return true
      case .oneOf(let options):
        return options.contains { option in
          if option.count > 1, option.contains(where: { $0 == "*" || $0 == "#" }) {
            return Self.glob(option, matches: value)
          }
          return option.compare(value, options: .caseInsensitive) == .orderedSame
        }
      }
    }

    /// Whether `value` is `pattern` with each `*` standing for any run of characters and each
    /// `#` for one ASCII digit, letter case aside.
    static func glob(_ pattern: String, matches value: String) -> Bool {
      let pattern = Array(pattern.lowercased())
      let value = Array(value.lowercased())
      // The classic two-pointer match: on a mismatch, the latest `*` takes one more character.
      var p = 0
      var v = 0
      var star: (p: Int, v: Int)?
      while v < value.count {
        if p < pattern.count, pattern[p] == "*" {
          star = (p, v)
          p += 1
        } else if p < pattern.count,
          pattern[p] == "#" ? value[v].isASCII && value[v].isNumber : pattern[p] == value[v]
        {
          p += 1
          v += 1
        } else if let last = star {
          star = (last.p, last.v + 1)
          p = last.p + 1
          v = last.v + 1
        } else {
          return false
        }
      }
      while p < pattern.count, pattern[p] == "*" { p += 1 }
      return p == pattern.count
    }
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case method, path, fields, query, headers, same
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    method = try c.decodeIfPresent(String.self, forKey: .method)?.uppercased()
    path = try c.decodeIfPresent(String.self, forKey: .path)
    fields = try c.decodeIfPresent([String: Expected].self, forKey: .fields) ?? [:]
    query = try c.decodeIfPresent([String: Expected].self, forKey: .query) ?? [:]
    headers = try c.decodeIfPresent([String: Expected].self, forKey: .headers) ?? [:]
    same = try c.decodeIfPresent([String].self, forKey: .same).map {
      try $0.map { try FieldPath.decoding($0, at: c.codingPath + [CodingKeys.same]) }
    }
    if let same, same.count != 2 {
      throw DecodingError.dataCorruptedError(
        forKey: .same, in: c, debugDescription: "`same` lists exactly two paths")
    }
  }

  /// Whether the request (and, when needed, its decoded body) satisfies every condition.
  public func matches(_ request: HookRequest, body: DecodedBody?) -> Bool {
    if let method, method != request.method { return false }
    if let path {
      if path.hasSuffix("*") {
        if !request.subpath.hasPrefix(String(path.dropLast())) { return false }
      } else if path != request.subpath && !(path == "/" && request.subpath.isEmpty) {
        return false
      }
    }
    for (name, expected) in query where !expected.accepts(request.queryValue(name)) {
      return false
    }
    for (name, expected) in headers where !expected.accepts(request.header(name)) {
      return false
    }
    if !fields.isEmpty {
      guard let body else { return false }
      for (name, expected) in fields {
        let value = FieldPath(name).flatMap { body.fields.value(at: $0) }
        // `"*"` also accepts a non-empty list (WhatsApp's `statuses`) and an object, `{}` too
        // (Telegram's `video_chat_started`, `forum_topic_closed`: the key's presence says it).
        if case .present = expected, let value {
          if case .object = value { continue }
          if !value.isEmpty { continue }
        }
        // A list (`user[]=voicemail` of a form) matches when one of its values does.
        if case .array(let items)? = value, !items.isEmpty {
          if items.contains(where: { expected.accepts($0.text) }) { continue }
          return false
        }
        if !expected.accepts(value?.text) { return false }
      }
    }
    if let same {
      guard let tree = body?.fields, let first = tree.value(at: same[0])?.text, !first.isEmpty,
        tree.value(at: same[1])?.text == first
      else { return false }
    }
    return true
  }

  /// Whether deciding needs the decoded body.
  public var needsBody: Bool { !fields.isEmpty || same != nil }
}
