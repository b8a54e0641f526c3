/// One kind of request a provider sends, and what inlet makes of it.
public struct Event: Sendable, Decodable {
  public var name: String
  /// When this event applies; `nil` matches every request.
  public var match: MatchSpec?
  public var action: Action
  /// The inquiry kind (`form`, `message`, …).
  public var kind: InquiryKind?
  /// Inquiry field (`sender.email`) → where its value comes from.
  public var fields: [String: FieldRule] {
    didSet { sortedFields = fields.sorted { $0.key < $1.key } }
  }
  /// `fields` in target order, as the mapper applies them (sorted once, not per request).
  public private(set) var sortedFields: [(key: String, value: FieldRule)] = []
  public var extra: ExtraSpec?
  public var reply: Replies?
  /// At least one of these inquiry fields must be present, or the input is quarantined.
  public var requireAny: [String]?
  /// Why requests of an `ignore` event are ignored (kept with the raw item).
  public var reason: String?
  /// How a repeated delivery of this event is recognised, when it differs from the
  /// definition's (Jivo: a finished chat by its chat id, an offline message by its own id).
  public var idempotency: ChannelDefinition.IdempotencySpec?

  /// What an event does with an authenticated request.
  public enum Action: String, Sendable, Decodable {
    /// Store the raw item and create (or find) an inquiry.
    case inquiry
    /// Store the raw item as `ignored` with the event's reason; no inquiry.
    case ignore
    /// Acknowledge without storing (status callbacks, pings after authentication).
    case drop
    /// Store the raw item and apply it to the call it belongs to (`source.call_id`): the call's
    /// one inquiry is created or updated (telephony).
    case call
  }

  /// The inquiry fields a mapping may target.
  public static let targets: Set<String> = [
    "sender.name", "sender.email", "sender.phone", "sender.messenger.network",
    "sender.messenger.id", "sender.messenger.username", "company.name", "company.inn",
    "subject", "text", "kind", "source.message_id", "source.call_id", "call.direction",
    "call.duration_s", "call.recording_url", "call.employee", "call.did",
    // Call signals: they drive the call's state machine and are not inquiry fields themselves.
    "call.state", "call.seq", "call.leg", "call.answered", "call.started_at",
    "call.leg_from_extension", "call.leg_handed_over",
  ]

  init(name: String) {
    self.name = name
    self.action = .inquiry
    self.fields = [:]
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, match, action, kind, fields, extra, reply, reason, idempotency
    case requireAny = "require_any"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decodeIfPresent(String.self, forKey: .name) ?? "event"
    match = try c.decodeIfPresent(MatchSpec.self, forKey: .match)
    action = try c.decodeIfPresent(Action.self, forKey: .action) ?? .inquiry
    kind = try c.decodeIfPresent(InquiryKind.self, forKey: .kind)
    fields = try c.decodeIfPresent([String: FieldRule].self, forKey: .fields) ?? [:]
    sortedFields = fields.sorted { $0.key < $1.key }
    extra = try c.decodeIfPresent(ExtraSpec.self, forKey: .extra)
    reply = try c.decodeIfPresent(Replies.self, forKey: .reply)
    requireAny = try c.decodeIfPresent([String].self, forKey: .requireAny)
    reason = try c.decodeIfPresent(String.self, forKey: .reason)
    idempotency = try c.decodeIfPresent(
      ChannelDefinition.IdempotencySpec.self, forKey: .idempotency)
    try Self.validateTargets(fields, at: c.codingPath + [CodingKeys.fields])
  }

  /// Rejects a mapping onto an inquiry field that does not exist (`sender.mail`).
  static func validateTargets(_ fields: [String: FieldRule], at path: [any CodingKey]) throws {
    for target in fields.keys.sorted() where !targets.contains(target) {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: path + [AnyCodingKey(stringValue: target)],
          debugDescription:
            "unknown inquiry field `\(target)` (one of: \(targets.sorted().joined(separator: ", ")))"
        ))
    }
  }

  struct Defaults {
    var kind: InquiryKind?
    var fields: [String: FieldRule]?
    var extra: ExtraSpec?
    var reply: Replies?
    var requireAny: [String]?
  }

  mutating func inherit(_ defaults: Defaults) {
    kind = kind ?? defaults.kind
    for (target, rule) in defaults.fields ?? [:] where fields[target] == nil {
      fields[target] = rule
    }
    extra = extra ?? defaults.extra
    reply = reply ?? defaults.reply
    requireAny = requireAny ?? defaults.requireAny
  }
}

/// Where one inquiry field's value comes from.
///
/// In YAML: a list of paths (`[email, e-mail, почта]`, the first present wins), one path, or a
/// mapping with `paths`, `template`, `value` (a constant), `map` (value map, `"*"` = any other
/// value) and `default`.
public struct FieldRule: Sendable, Decodable {
  public var paths: [FieldPath] = []
  public var template: Template?
  public var value: String?
  public var map: [String: String]?
  public var defaultValue: String?
  /// Two paths whose numeric difference is the value (Mango: `end_time - talk_time`); nothing
  /// when either is missing or not positive (a zero timestamp: that moment never came). Tried
  /// before `paths`, which are then the fallback.
  public var difference: [FieldPath]?
  /// Divides a numeric value (milliseconds → seconds: 1000).
  public var divideBy: Double?
  /// How bare digits (a number without its "+") are read.
  public enum International: Sendable {
    /// In the default country, as any phone.
    case no
    /// `international: true`: always an international number (a WhatsApp id, a Telegram
    /// contact): they get a "+", so no default country is assumed.
    case always
    /// `international: fallback`: an international number when the default country cannot
    /// read them (a PBX sends a Belarusian caller as `375291234567` beside a Russian
    /// `79161234567`); digits it can read stay its own.
    case fallback
  }
  public var international = International.no
  /// `labels: [{message.voice: "[голосовое сообщение]"}, …]`: when nothing else gave a value,
  /// the label of the first path present in the body (a messenger's message without text says
  /// what was sent: the key of its media is the only sign).
  public var labels: [(path: FieldPath, label: String)] = []
  /// `label_kind: phone`: when no path gave a value, the first field (by name) whose label's
  /// words name that kind (``FormLabel``: «Ваш телефон», «Телефон для связи»): a form that sends
  /// each field under the label the site's owner typed.
  public var labelKind: FormLabel.Kind?
  /// `from_text: true` (`sender.phone`, `sender.email`): when nothing else gave one, the first
  /// phone or e-mail address written in the inquiry's text («Перезвоните 8 916 123-45-67» in a
  /// chat).
  public var fromText = false

  enum CodingKeys: String, CodingKey, CaseIterable {
    case paths, template, value, map, difference, international, labels
    case labelKind = "label_kind"
    case fromText = "from_text"
    case defaultValue = "default"
    case divideBy = "divide_by"
  }

  public init(from decoder: any Decoder) throws {
    if let list = try? decoder.singleValueContainer().decode([String].self) {
      paths = try list.map { try FieldPath.decoding($0, at: decoder.codingPath) }
      return
    }
    if let single = try? decoder.singleValueContainer().decode(String.self) {
      paths = [try FieldPath.decoding(single, at: decoder.codingPath)]
      return
    }
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    paths = try (c.decodeIfPresent([String].self, forKey: .paths) ?? []).map {
      try FieldPath.decoding($0, at: c.codingPath + [CodingKeys.paths])
    }
    template = try c.decodeIfPresent(String.self, forKey: .template).map(Template.init)
    value = try c.decodeIfPresent(String.self, forKey: .value)
    map = try c.decodeIfPresent([String: String].self, forKey: .map)
    defaultValue = try c.decodeIfPresent(String.self, forKey: .defaultValue)
    difference = try c.decodeIfPresent([String].self, forKey: .difference).map {
      try $0.map { try FieldPath.decoding($0, at: c.codingPath + [CodingKeys.difference]) }
    }
    divideBy = try c.decodeIfPresent(Double.self, forKey: .divideBy)
    fromText = try c.decodeIfPresent(Bool.self, forKey: .fromText) ?? false
    if let kind = try c.decodeIfPresent(String.self, forKey: .labelKind) {
      guard let parsed = FormLabel.Kind(rawValue: kind) else {
        throw DecodingError.dataCorruptedError(
          forKey: .labelKind, in: c,
          debugDescription: FormLabel.Kind.allCases.map(\.rawValue).joined(separator: ", "))
      }
      labelKind = parsed
    }
    for entry in try c.decodeIfPresent([[String: String]].self, forKey: .labels) ?? [] {
      guard entry.count == 1, let pair = entry.first else {
        throw DecodingError.dataCorruptedError(
          forKey: .labels, in: c, debugDescription: "each label is one `path: label` pair")
      }
      labels.append(
        (try FieldPath.decoding(pair.key, at: c.codingPath + [CodingKeys.labels]), pair.value))
    }
    if let flag = try? c.decodeIfPresent(Bool.self, forKey: .international) {
      international = flag ? .always : .no
    } else if let mode = try c.decodeIfPresent(String.self, forKey: .international) {
      guard mode == "fallback" else {
        throw DecodingError.dataCorruptedError(
          forKey: .international, in: c, debugDescription: "true, false or fallback")
      }
      international = .fallback
    }
    if let divideBy, divideBy == 0 {
      throw DecodingError.dataCorruptedError(
        forKey: .divideBy, in: c, debugDescription: "a non-zero number")
    }
    if let difference, difference.count != 2 {
      throw DecodingError.dataCorruptedError(
        forKey: .difference, in: c, debugDescription: "`difference` lists exactly two paths")
    }
    if paths.isEmpty && template == nil && value == nil && defaultValue == nil
      && difference == nil && labels.isEmpty && labelKind == nil && !fromText
    {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription:
            "a field rule needs `paths`, `template`, `difference`, `value`, `labels`, `default` or `from_text`"
        ))
    }
  }
}

/// Which of the body's other fields are kept in the inquiry's `extra`.
public enum ExtraSpec: Sendable, Decodable {
  /// Every top-level field no mapping consumed, minus `exclude`.
  case rest(exclude: Set<String>)
  /// Only these paths (key = the path text).
  case only([FieldPath])
  /// Nothing.
  case none

  enum CodingKeys: String, CodingKey, CaseIterable { case rest, exclude, only }

  public init(from decoder: any Decoder) throws {
    if let word = try? decoder.singleValueContainer().decode(String.self) {
      switch word {
      case "rest": self = .rest(exclude: [])
      case "none": self = .none
      default:
        throw DecodingError.dataCorrupted(
          .init(
            codingPath: decoder.codingPath,
            debugDescription: "`extra` is `rest`, `none`, {exclude: [...]} or {only: [...]}"))
      }
      return
    }
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let only = try c.decodeIfPresent([String].self, forKey: .only) {
      self = .only(try only.map { try FieldPath.decoding($0, at: c.codingPath) })
    } else {
      let exclude = try c.decodeIfPresent([String].self, forKey: .exclude) ?? []
      self = .rest(exclude: Set(exclude.map { $0.lowercased() }))
    }
  }
}
