/// A provider's webhook format, read from `channels/<name>.yaml` at run time.
///
/// Everything about a provider except its signature algorithm is data: how to authenticate (a
/// built-in scheme), how to decode the body, how fields map onto an inquiry, which events exist,
/// how to recognise a repeated delivery and what to answer. See the README, "Channel definitions".
public struct ChannelDefinition: Sendable, Decodable {
  /// The definition's name (the file name without `.yaml` when not given).
  public var name: String
  /// One line for people.
  public var title: String?
  public var auth: AuthSpec
  public var body: BodySpec
  public var idempotency: IdempotencySpec?
  /// Requests answered without storing anything (`zd_echo`, `hub.challenge`, pings).
  public var handshakes: [Handshake]
  /// The events, tried in order; the first whose `match` fits handles the request.
  public var events: [Event]
  /// Options an instance may set in the config (`thank_you_url`, …) with their defaults.
  public var options: [String: Value]
  /// How messages of one messenger conversation are recognised (continuations).
  public var conversation: ConversationSpec?
  /// Lists in the body whose items are separate inputs when a request carries several
  /// (WhatsApp batches entries, their changes and their messages): each is handled as if it had
  /// come alone. Several paths split level by level, outermost first; one path or a list.
  public var split: [FieldPath] = []
  /// After `split`, lists narrowed to the items that belong to the split item (WhatsApp: a
  /// batch's `contacts`, each message keeping only its sender's), applied in order.
  public var filter: [ListFilter] = []
  /// A subscription the daemon keeps alive at the provider (Beeline XSI: a PUT renewed before
  /// it expires), if the provider needs one.
  public var subscription: SubscriptionSpec?
  /// The top-level replies, which every event without its own inherits; also the answer to an
  /// input no event handles (a body that cannot be decoded, too many items), so a messenger's
  /// `quarantined` reply covers those too.
  public var reply: Replies?
  /// Whether the file had no `events:` list (its top-level settings are the one event).
  public var hasImplicitEvent = false
  /// The kind of lead the channel brings: its top-level `kind`, else `call` for a definition
  /// whose events are calls, else `form`. A raw item nothing could be read from is listed as it.
  public var listingKind: InquiryKind = .form
  /// The secrets its templates read (`{{secret.confirmation}}`), set by the loader: an
  /// instance must configure them as it must the ones its auth scheme needs.
  public internal(set) var templateSecrets: Set<String> = []

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, title, auth, body, idempotency, handshakes, events, options, conversation, split
    case subscription, filter
    case kind, fields, extra, reply
    case requireAny = "require_any"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
    title = try c.decodeIfPresent(String.self, forKey: .title)
    auth = try c.decode(AuthSpec.self, forKey: .auth)
    body = try c.decodeIfPresent(BodySpec.self, forKey: .body) ?? BodySpec()
    idempotency = try c.decodeIfPresent(IdempotencySpec.self, forKey: .idempotency)
    handshakes = try c.decodeIfPresent([Handshake].self, forKey: .handshakes) ?? []
    options = try c.decodeIfPresent([String: Value].self, forKey: .options) ?? [:]
    conversation = try c.decodeIfPresent(ConversationSpec.self, forKey: .conversation)
    subscription = try c.decodeIfPresent(SubscriptionSpec.self, forKey: .subscription)
    let splitPaths: [String]
    if let list = try? c.decodeIfPresent([String].self, forKey: .split) {
      splitPaths = list
    } else {
      splitPaths = try c.decodeIfPresent(String.self, forKey: .split).map { [$0] } ?? []
    }
    split = try splitPaths.map {
      try FieldPath.decoding($0, at: c.codingPath + [CodingKeys.split])
    }
    filter = try c.decodeIfPresent([ListFilter].self, forKey: .filter) ?? []
    // Top-level kind/fields/extra/reply are the defaults every event inherits, so a one-event
    // provider (a web form) needs no `events:` list at all.
    let defaults = try Event.Defaults(
      kind: c.decodeIfPresent(InquiryKind.self, forKey: .kind),
      fields: c.decodeIfPresent([String: FieldRule].self, forKey: .fields),
      extra: c.decodeIfPresent(ExtraSpec.self, forKey: .extra),
      reply: c.decodeIfPresent(Replies.self, forKey: .reply),
      requireAny: c.decodeIfPresent([String].self, forKey: .requireAny))
    try Event.validateTargets(defaults.fields ?? [:], at: c.codingPath + [CodingKeys.fields])
    reply = defaults.reply
    if c.contains(.events) {
      var list = try c.nestedUnkeyedContainer(forKey: .events)
      var events: [Event] = []
      while !list.isAtEnd {
        var event = try list.decode(Event.self)
        event.inherit(defaults)
        events.append(event)
      }
      self.events = events
    } else {
      var event = Event(name: "default")
      event.inherit(defaults)
      self.events = [event]
      hasImplicitEvent = true
    }
    listingKind = defaults.kind ?? (events.contains { $0.action == .call } ? .call : .form)
  }

  /// Authentication: a built-in scheme and the names of the secrets it reads.
  public struct AuthSpec: Sendable, Decodable {
    public var scheme: String
    /// Scheme parameters (`header: X-Signature`, `field: secret`), scheme-specific.
    public var parameters: [String: String]

    enum CodingKeys: String, CodingKey, CaseIterable { case scheme, parameters }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      scheme = try c.decode(String.self, forKey: .scheme)
      parameters = try c.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:]
    }
  }

  /// Which body decoders are accepted.
  public struct BodySpec: Sendable, Decodable {
    public var accept: [BodyFormat] = [.json, .form]
    /// For `json-in-form-field`: the form field holding the JSON (default `json`).
    public var jsonField: String?
    /// The charset of form fields that are not UTF-8 (`windows-1251`: a browser posts a form in
    /// its page's charset, and older Russian sites are windows-1251).
    public var legacyCharset: LegacyCharset?

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
      case accept
      case jsonField = "json_field"
      case legacyCharset = "legacy_charset"
    }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      accept = try c.decodeIfPresent([BodyFormat].self, forKey: .accept) ?? [.json, .form]
      jsonField = try c.decodeIfPresent(String.self, forKey: .jsonField)
      legacyCharset = try c.decodeIfPresent(LegacyCharset.self, forKey: .legacyCharset)
    }
  }

  /// How a repeated delivery of the same submission or event is recognised.
  public struct IdempotencySpec: Sendable, Decodable {
    /// A header carrying the key (`Idempotency-Key`).
    public var header: String?
    /// Field paths tried in order (`submission_id`, `tranid`).
    public var fields: [FieldPath]
    /// A template combining fields (`{{field.call_id}}:{{field.event}}`); wins over `fields`.
    public var template: Template?
    /// Fields of which one must have a value for the template or `fields` to identify the
    /// input (the call id): without, the input gets no key and is stored on its own — not taken
    /// for a repeat of another input that lacked them too (`::hangup:`).
    public var required: [FieldPath]

    enum CodingKeys: String, CodingKey, CaseIterable { case header, fields, template, required }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      header = try c.decodeIfPresent(String.self, forKey: .header)
      fields = try (c.decodeIfPresent([String].self, forKey: .fields) ?? []).map {
        try FieldPath.decoding($0, at: c.codingPath + [CodingKeys.fields])
      }
      template = try c.decodeIfPresent(String.self, forKey: .template).map(Template.init)
      required = try (c.decodeIfPresent([String].self, forKey: .required) ?? []).map {
        try FieldPath.decoding($0, at: c.codingPath + [CodingKeys.required])
      }
    }
  }

  /// A request answered at once, storing nothing.
  public struct Handshake: Sendable, Decodable {
    public var name: String?
    public var match: MatchSpec
    /// Whether the request must pass the channel's authentication first.
    public var authenticate: Bool
    public var reply: Reply
    /// A value the request must present (WhatsApp's `hub.verify_token`); otherwise `refuse`.
    public var verify: Verify?
    /// The answer when `verify` fails (default 403 `forbidden`).
    public var refuse: Reply?

    enum CodingKeys: String, CodingKey, CaseIterable {
      case name, match, authenticate, reply, verify, refuse
    }

    /// Two templates that must render to the same non-empty text (compared in constant time).
    public struct Verify: Sendable, Decodable {
      public var presented: Template
      public var expected: Template

      enum CodingKeys: String, CodingKey, CaseIterable { case presented, expected }

      public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        presented = Template(try c.decode(String.self, forKey: .presented))
        expected = Template(try c.decode(String.self, forKey: .expected))
      }
    }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      name = try c.decodeIfPresent(String.self, forKey: .name)
      match = try c.decode(MatchSpec.self, forKey: .match)
      authenticate = try c.decodeIfPresent(Bool.self, forKey: .authenticate) ?? true
      reply = try c.decode(Reply.self, forKey: .reply)
      verify = try c.decodeIfPresent(Verify.self, forKey: .verify)
      refuse = try c.decodeIfPresent(Reply.self, forKey: .refuse)
    }
  }
}

extension FieldPath {
  static func decoding(_ text: String, at path: [any CodingKey]) throws -> FieldPath {
    guard let parsed = FieldPath(text) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: path, debugDescription: "`\(text)` is not a field path"))
    }
    return parsed
  }
}
