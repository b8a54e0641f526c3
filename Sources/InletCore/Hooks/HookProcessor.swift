import Foundation

/// The pure part of the webhook pipeline: authenticate, decode, pick the event, map the fields.
///
/// It performs no I/O; the listener stores what it returns and answers.
public struct HookProcessor: Sendable {
  public var schemes: AuthSchemeRegistry
  public var phone: PhoneNormalizer

  public init(schemes: AuthSchemeRegistry = .builtIn, phone: PhoneNormalizer = PhoneNormalizer()) {
    self.schemes = schemes
    self.phone = phone
  }

  /// Decides what to do with one request to `instance`. `replaying` is for `inlet replay`: the
  /// request was authenticated when it arrived (its credentials were not stored), so the check
  /// is skipped.
  public func process(
    _ request: HookRequest, for instance: ChannelInstance, now: Date = Date(),
    replaying: Bool = false
  ) -> HookOutcome {
    let definition = instance.definition
    var context = ReplyContext(
      request: request, fields: nil, options: instance.options, secrets: instance.secrets)

    // Handshakes that providers send before any secret is set up (Zadarma's zd_echo).
    var decoded: Result<DecodedBody, BodyDecodingError>?
    func body() -> Result<DecodedBody, BodyDecodingError> {
      if let decoded { return decoded }
      let result = Result { () throws(BodyDecodingError) -> DecodedBody in
        try BodyDecoder.decode(
          request, accepting: definition.body.accept, jsonField: definition.body.jsonField)
      }
      decoded = result
      return result
    }
    for handshake in definition.handshakes where !handshake.authenticate {
      let fields = handshake.match.needsBody ? try? body().get() : nil
      if handshake.match.matches(request, body: fields) {
        context.fields = fields?.fields
        return .reply(handshake.reply, context)
      }
    }

    guard let scheme = schemes.scheme(named: definition.auth.scheme) else {
      return .refused(
        HookFailure(
          status: 500, code: "definition_error",
          message: "the channel's auth scheme `\(definition.auth.scheme)` is not built in"))
    }
    var authBody: DecodedBody?
    if scheme.needsDecodedBody {
      switch body() {
      case .success(let value): authBody = value
      case .failure(let error):
        // Without a readable body the request cannot be authenticated, so it is not stored.
        return .refused(
          HookFailure(status: status(for: error), code: error.code, message: error.message))
      }
    }
    if !replaying,
      case .refused(let reason) = scheme.authenticate(
        request, body: authBody, secrets: instance.secrets,
        parameters: definition.auth.parameters)
    {
      return .unauthenticated(reason: reason)
    }

    for handshake in definition.handshakes where handshake.authenticate {
      let fields = handshake.match.needsBody ? try? body().get() : nil
      if handshake.match.matches(request, body: fields) {
        context.fields = fields?.fields
        return .reply(handshake.reply, context)
      }
    }

    var submission = RawSubmission(
      channel: instance.name, event: "unparsed", idempotencyKey: nil, receivedAt: now,
      transport: TransportMetadata(request), body: request.body,
      disposition: .ignored(""), replies: Replies(), files: [], context: context)
    submission.idempotencyKey = idempotencyKey(request, fields: nil, instance: instance)

    let decodedBody: DecodedBody
    switch body() {
    case .success(let value): decodedBody = value
    case .failure(let error):
      submission.disposition = .quarantined(
        HookFailure(status: status(for: error), code: error.code, message: error.message),
        partial: nil)
      return .store(submission)
    }
    context.fields = decodedBody.fields
    submission.context = context
    submission.files = decodedBody.files
    submission.idempotencyKey = idempotencyKey(
      request, fields: decodedBody.fields, instance: instance)

    guard
      let event = definition.events.first(where: {
        $0.match?.matches(request, body: decodedBody) ?? true
      })
    else {
      submission.disposition = Self.quarantine(
        "unknown_event",
        "no event of definition `\(definition.name)` matches this request; it was kept and can "
          + "be replayed once the definition knows it")
      return .store(submission)
    }
    submission.event = event.name
    submission.replies = event.reply ?? Replies()

    switch event.action {
    case .drop:
      return .reply(submission.replies.ignored, context)
    case .ignore:
      submission.disposition = .ignored(event.reason ?? "event `\(event.name)` is not a lead")
      return .store(submission)
    case .call:
      var mapper = FieldMapper(phone: phone)
      let draft = mapper.inquiry(
        from: decodedBody, event: event, request: request, instance: instance, now: now)
      submission.disposition = Self.callDisposition(draft, signals: mapper.signals, now: now)
      return .store(submission)
    case .inquiry:
      var mapper = FieldMapper(phone: phone)
      let inquiry = mapper.inquiry(
        from: decodedBody, event: event, request: request, instance: instance, now: now)
      if let required = event.requireAny, !required.contains(where: { inquiry.has($0) }) {
        submission.disposition = Self.quarantine(
          "missing_fields",
          "none of the fields " + required.joined(separator: ", ")
            + " could be read from the request; it was kept as quarantined", partial: inquiry)
      } else {
        submission.disposition = .inquiry(inquiry)
      }
      return .store(submission)
    }
  }

  /// A 400 answer for an input that is kept as `quarantined`.
  static func quarantine(_ code: String, _ message: String, partial: Inquiry? = nil)
    -> RawSubmission.Disposition
  {
    .quarantined(HookFailure(status: 400, code: code, message: message), partial: partial)
  }

  /// `true`, `1`, `yes`, `answered`… — anything but an explicit no.
  static func truthy(_ text: String) -> Bool {
    !["", "0", "false", "no", "n", "none", "null"].contains(text.lowercased())
  }

  private func status(for error: BodyDecodingError) -> Int {
    error.code == "unsupported_media_type" ? 415 : 400
  }

  private func idempotencyKey(_ request: HookRequest, fields: Value?, instance: ChannelInstance)
    -> String?
  {
    guard let spec = instance.definition.idempotency else { return nil }
    var key: String?
    if let header = spec.header, let value = request.header(header), !value.isEmpty {
      key = value
    }
    if key == nil, let fields, let template = spec.template {
      let context = ReplyContext(
        request: request, fields: fields, options: instance.options, secrets: instance.secrets)
      let rendered = template.render(context.resolve)
      key = rendered.isEmpty ? nil : rendered
    }
    if key == nil, let fields {
      key = spec.fields.lazy.compactMap { fields.value(at: $0)?.text }.first { !$0.isEmpty }
    }
    return key.map { "\(instance.name):\($0)" }
  }
}
