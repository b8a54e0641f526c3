/// What inlet answers a provider; strings in `json` and `text` are templates.
public struct Reply: Sendable, Decodable {
  public var status: Int
  public var json: Value? {
    didSet { jsonTemplate = json.map(JSONTemplate.init) }
  }
  /// `json` with its strings parsed as templates once, not on every reply.
  public private(set) var jsonTemplate: JSONTemplate?
  public var text: Template?
  public var contentType: String?
  public var headers: [String: Template]
  /// For providers that ask who is calling: the caller's number (a template over the request);
  /// the directory's name for it fills `{{caller.name}}`.
  public var callerPhone: Template?
  /// For browsers posting a plain HTML form: `303 See Other` to this URL (when it renders
  /// non-empty) instead of the body, for a browser's own navigation only (`Sec-Fetch-Mode:
  /// navigate`, or an `Accept` naming HTML): scripts get the body.
  public var redirect: Template?

  public init(
    status: Int, json: Value? = nil, text: Template? = nil, contentType: String? = nil,
    headers: [String: Template] = [:]
  ) {
    self.status = status
    self.json = json
    self.jsonTemplate = json.map(JSONTemplate.init)
    self.text = text
    self.contentType = contentType
    self.headers = headers
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case status, json, text, headers
    case contentType = "content_type"
    case callerPhone = "caller_phone"
    case redirect
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    status = try c.decodeIfPresent(Int.self, forKey: .status) ?? 200
    guard (200...599).contains(status) else {
      throw DecodingError.dataCorruptedError(
        forKey: .status, in: c, debugDescription: "an HTTP status between 200 and 599")
    }
    json = try c.decodeIfPresent(Value.self, forKey: .json)
    jsonTemplate = json.map(JSONTemplate.init)
    text = try c.decodeIfPresent(String.self, forKey: .text).map(Template.init)
    contentType = try c.decodeIfPresent(String.self, forKey: .contentType)
    headers = (try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:])
      .mapValues(Template.init)
    callerPhone = try c.decodeIfPresent(String.self, forKey: .callerPhone).map(Template.init)
    redirect = try c.decodeIfPresent(String.self, forKey: .redirect).map(Template.init)
    if json != nil && text != nil {
      throw DecodingError.dataCorruptedError(
        forKey: .text, in: c, debugDescription: "a reply has `json` or `text`, not both")
    }
  }

  /// An empty JSON object with 200, what most providers expect.
  public static let ok = Reply(status: 200, json: .object([:]))
}

/// The replies of an event: on creation, on a repeated delivery, for ignored or dropped
/// requests, and for inputs kept as quarantined. In YAML either one reply (for the first three),
/// or a mapping of these four.
public struct Replies: Sendable, Decodable {
  public var created: Reply
  public var duplicate: Reply
  public var ignored: Reply
  /// The answer for an input kept as `quarantined` (and a repeat of one); `nil` answers the
  /// failure itself (4xx with the raw id), as web forms want. Messengers set it: Telegram
  /// re-delivers anything but a 2xx, holding up the bot's later updates meanwhile.
  public var quarantined: Reply?

  enum CodingKeys: String, CodingKey, CaseIterable { case created, duplicate, ignored, quarantined }

  public init(
    created: Reply = .ok, duplicate: Reply? = nil, ignored: Reply? = nil,
    quarantined: Reply? = nil
  ) {
    self.created = created
    self.duplicate = duplicate ?? created
    self.ignored = ignored ?? created
    self.quarantined = quarantined
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: AnyCodingKey.self)
    let keys = Set(c.allKeys.map(\.stringValue))
    if keys.isDisjoint(with: CodingKeys.allCases.map(\.stringValue)) {
      self.init(created: try Reply(from: decoder))
      return
    }
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let named = try decoder.container(keyedBy: CodingKeys.self)
    let created = try named.decodeIfPresent(Reply.self, forKey: .created) ?? .ok
    self.init(
      created: created, duplicate: try named.decodeIfPresent(Reply.self, forKey: .duplicate),
      ignored: try named.decodeIfPresent(Reply.self, forKey: .ignored),
      quarantined: try named.decodeIfPresent(Reply.self, forKey: .quarantined))
  }
}

/// A JSON reply body whose strings are templates, parsed once.
public indirect enum JSONTemplate: Sendable {
  case value(Value)
  case string(Template)
  case array([JSONTemplate])
  case object([(key: String, value: JSONTemplate)])

  public init(_ value: Value) {
    switch value {
    case .string(let text): self = .string(Template(text))
    case .array(let items): self = .array(items.map(JSONTemplate.init))
    case .object(let members):
      self = .object(members.map { (key: $0.key, value: JSONTemplate($0.value)) })
    default: self = .value(value)
    }
  }

  /// Every template in the body, with its key path under `at`, for validation.
  public func templates(at: String) -> [(Template, String)] {
    switch self {
    case .value: return []
    case .string(let template): return [(template, at)]
    case .array(let items):
      return items.enumerated().flatMap { $0.element.templates(at: "\(at)[\($0.offset)]") }
    case .object(let members):
      return members.flatMap { $0.value.templates(at: "\(at).\($0.key)") }
    }
  }

  /// The body for one reply. An object member that is one placeholder with no value is left
  /// out (`{"contact_name": "{{caller.name}}"}` becomes `{}` for an unknown caller), as
  /// providers expect. With `encodingQuery`, a string placed in a URL's query is
  /// percent-encoded (``Template/render(_:encodingQuery:)``).
  public func render(
    _ resolve: (_ namespace: String, _ key: String) -> String?, encodingQuery: Bool = false
  ) -> Value {
    switch self {
    case .value(let value): return value
    case .string(let template):
      return .string(template.render(resolve, encodingQuery: encodingQuery))
    case .array(let items):
      return .array(items.map { $0.render(resolve, encodingQuery: encodingQuery) })
    case .object(let members):
      var rendered: [String: Value] = [:]
      rendered.reserveCapacity(members.count)
      for (key, member) in members {
        if case .string(let template) = member {
          let value = template.render(resolve, encodingQuery: encodingQuery)
          if value.isEmpty && template.isSinglePlaceholder { continue }
          rendered[key] = .string(value)
        } else {
          rendered[key] = member.render(resolve, encodingQuery: encodingQuery)
        }
      }
      return .object(rendered)
    }
  }
}
