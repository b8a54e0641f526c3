import Foundation

/// Applies an event's field rules to a decoded body, normalising e-mails, phones and INNs.
struct FieldMapper {
  var phone: PhoneNormalizer
  /// Values of call-signal targets (`call.state`, `call.seq`, `call.leg`, `call.answered`,
  /// `call.started_at`) of the last run.
  private(set) var signals: [String: String] = [:]

  mutating func inquiry(
    from body: DecodedBody, event: Event, request: HookRequest, instance: ChannelInstance,
    now: Date
  ) -> Inquiry {
    var inquiry = Inquiry(
      channel: instance.name, kind: event.kind ?? .form, receivedAt: now)
    var consumed: Set<String> = []
    var extra: [String: Value] = [:]
    let context = ReplyContext(
      request: request, fields: body.fields, options: instance.options, secrets: instance.secrets)

    let root = FoldedObject(body.fields)
    for (target, rule) in event.sortedFields {
      guard
        let raw = resolve(
          rule, in: body.fields, root: root, context: context, consumed: &consumed)
      else {
        continue
      }
      if target == "call.state" || target == "call.seq" || target == "call.leg"
        || target == "call.answered" || target == "call.started_at"
        || target == "call.leg_from_extension" || target == "call.leg_handed_over"
      {
        signals[target] = raw
        continue
      }
      assign(raw, to: target, in: &inquiry, extra: &extra)
    }
    // `from_text`: a phone or an address the person wrote in the message itself.
    if let text = inquiry.text {
      for (target, rule) in event.sortedFields where rule.fromText {
        if target == "sender.phone", inquiry.sender.phone == nil {
          inquiry.sender.phone = PhoneFinder.find(in: text, normalizer: phone).first
        } else if target == "sender.email", inquiry.sender.email == nil {
          inquiry.sender.email = EmailNormalizer.first(in: text)
        }
      }
    }
    for path in instance.definition.idempotency?.fields ?? [] {
      consumed.insert(path.foldedHead)
    }

    switch event.extra ?? .rest(exclude: []) {
    case .none:
      break
    case .only(let paths):
      for path in paths {
        if let value = body.fields.value(at: path), !value.isEmpty {
          extra[path.description] = value
        }
      }
    case .rest(let exclude):
      for (key, value) in root.members {
        let folded = root.keysFolded ? key : key.lowercased()
        if consumed.contains(folded) || exclude.contains(folded) || value.isEmpty { continue }
        if TransportMetadata.secretNames.contains(folded) { continue }
        extra[key] = value
      }
    }
    inquiry.extra = extra
    return inquiry
  }

  private func resolve(
    _ rule: FieldRule, in fields: Value, root: FoldedObject, context: ReplyContext,
    consumed: inout Set<String>
  ) -> String? {
    var found: String?
    if let template = rule.template {
      let (text, filled) = template.renderFilled(context.resolve)
      let rendered = text.trimmedSpaces
      if !rendered.isEmpty, filled || template.isConstant { found = rendered }
    }
    // A difference comes before the paths, which are then its fallback (MegaFon: the talk time
    // is `duration - wait`, and `duration` itself when nothing was waited).
    if found == nil, let pair = rule.difference,
      let minuend = fields.value(at: pair[0])?.text.flatMap(Double.init),
      let subtrahend = fields.value(at: pair[1])?.text.flatMap(Double.init),
      minuend > 0, subtrahend > 0
    {
      found = Value.format(max(0, minuend - subtrahend))
      consumed.insert(pair[0].head.lowercased())
      consumed.insert(pair[1].head.lowercased())
    }
    if found == nil {
      for path in rule.paths {
        if let prefix = path.prefix {
          // `tel-*`: the first field by name that starts so and has a value.
          for key in root.folded.keys.sorted() where key.hasPrefix(prefix) {
            guard let text = root.folded[key]?.firstText?.trimmedSpaces, !text.isEmpty else {
              continue
            }
            found = text
            consumed.insert(key)
            break
          }
          if found != nil { break }
          continue
        }
        guard let value = fields.value(at: path, root: root), let text = value.firstText else {
          continue
        }
        let trimmed = text.trimmedSpaces
        if trimmed.isEmpty { continue }
        found = trimmed
        consumed.insert(path.foldedHead)
        break
      }
    }
    if found == nil, let kind = rule.labelKind {
      // The first field by name whose label names the kind, not taken by another rule, and
      // whose value is one (a phone that reads as one, an address).
      let keys = root.members.keys.sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) }
      for key in keys where FormLabel.kind(of: key) == kind {
        let folded = key.lowercased()
        guard !consumed.contains(folded),
          let text = root.members[key]?.firstText?.trimmedSpaces, !text.isEmpty
        else { continue }
        if kind == .phone, phone.normalize(text) == nil { continue }
        if kind == .email, EmailNormalizer.normalize(text) == nil { continue }
        found = text
        consumed.insert(folded)
        break
      }
    }
    if found == nil, let constant = rule.value { found = constant }
    if found == nil {
      found =
        rule.labels.first { fields.value(at: $0.path, root: root).map { $0 != .null } ?? false }?
        .label
    }
    if rule.international != .no, let text = found, PhoneNormalizer.isBareDigits(text),
      rule.international == .always || phone.normalize(text) == nil
    {
      found = "+" + text
    }
    if let divisor = rule.divideBy, let text = found, let number = Double(text) {
      found = Value.format((number / divisor).rounded())
    }
    if let map = rule.map, let key = found {
      let lowered = key.lowercased()
      found = map.first { $0.key.lowercased() == lowered }?.value ?? map["*"] ?? key
      // A value mapped to "" means "this event does not say" (a hangup's direction).
      if found == "" { found = nil }
    }
    return found ?? rule.defaultValue
  }

  private func assign(
    _ text: String, to target: String, in inquiry: inout Inquiry, extra: inout [String: Value]
  ) {
    switch target {
    case "sender.name": inquiry.sender.name = text
    case "sender.email":
      if let email = EmailNormalizer.normalize(text) {
        inquiry.sender.email = email
      } else {
        extra["unparsed_email"] = .string(text)
      }
    case "sender.phone":
      if let number = phone.normalize(text) {
        inquiry.sender.phone = number
      } else if PhoneNormalizer.isAnonymous(text) {
        extra["anonymous_caller"] = .bool(true)
      } else {
        extra["unparsed_phone"] = .string(text)
      }
    case "sender.messenger.network":
      inquiry.sender.messenger = messenger(inquiry, network: text)
    case "sender.messenger.id":
      var messenger = messenger(inquiry, network: nil)
      messenger.id = text
      inquiry.sender.messenger = messenger
    case "sender.messenger.username":
      var messenger = messenger(inquiry, network: nil)
      messenger.username = text
      inquiry.sender.messenger = messenger
    case "company.name":
      var company = inquiry.company ?? Inquiry.Company()
      company.name = text
      inquiry.company = company
    case "company.inn":
      if let inn = INN.read(text) {
        var company = inquiry.company ?? Inquiry.Company()
        company.inn = inn
        inquiry.company = company
      } else {
        extra["invalid_inn"] = .string(text)
      }
    case "subject": inquiry.subject = text
    case "text": inquiry.text = text
    case "kind":
      if let kind = InquiryKind(rawValue: text) { inquiry.kind = kind }
    case "source.message_id": inquiry.source.messageID = text
    case "source.call_id": inquiry.source.callID = text
    default:
      assignCall(text, to: target, in: &inquiry)
    }
  }

  private func assignCall(_ text: String, to target: String, in inquiry: inout Inquiry) {
    var call = inquiry.call ?? Inquiry.Call()
    switch target {
    case "call.direction": call.direction = text
    case "call.duration_s": call.durationS = WholeNumber.parse(text).map { Int($0) }
    case "call.recording_url": call.recordingURL = text
    case "call.employee": call.employee = text
    case "call.did": call.did = phone.normalize(text) ?? text
    default: return
    }
    inquiry.call = call
  }

  private func messenger(_ inquiry: Inquiry, network: String?) -> Inquiry.Messenger {
    var messenger = inquiry.sender.messenger ?? Inquiry.Messenger(network: network ?? "unknown")
    if let network { messenger.network = network }
    return messenger
  }
}

extension Inquiry {
  /// Whether the inquiry field named as in definitions (`sender.email`) has a value.
  func has(_ target: String) -> Bool {
    switch target {
    case "sender.name": return sender.name != nil
    case "sender.email": return sender.email != nil
    case "sender.phone": return sender.phone != nil
    case "sender.messenger.id": return sender.messenger?.id != nil
    case "sender.messenger.username": return sender.messenger?.username != nil
    case "company.name": return company?.name != nil
    case "company.inn": return company?.inn != nil
    case "subject": return subject != nil
    case "text": return text != nil
    case "sender.messenger.network": return sender.messenger != nil
    case "source.call_id": return source.callID != nil
    case "source.message_id": return source.messageID != nil
    case "kind": return true
    case "call.direction": return call?.direction != nil
    case "call.duration_s": return call?.durationS != nil
    case "call.recording_url": return call?.recordingURL != nil
    case "call.employee": return call?.employee != nil
    case "call.did": return call?.did != nil
    default: return false
    }
  }
}

extension Value {
  /// A field's text; for a field the form sent more than once (`phone=&phone=+7916…`, a
  /// list), its first item with text that is not blank.
  var firstText: String? {
    guard case .array(let items) = self else { return text }
    return items.lazy.compactMap(\.text).first { !$0.trimmedSpaces.isEmpty }
  }
}
