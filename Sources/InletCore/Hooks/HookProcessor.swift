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

  /// The reason to refuse a request before its body is read, when its headers and URL settle
  /// it: the channel's scheme reads no body (a bearer, URL or header token) and no handshake
  /// answered without authentication matches it (one that needs the body could: then nothing
  /// is decided here). `nil`: read the body and ``process(_:for:now:replaying:)`` it. An
  /// unauthenticated sender's megabytes are then never read, decoded or kept in memory.
  public func refusalBeforeBody(_ headersOnly: HookRequest, for instance: ChannelInstance)
    -> String?
  {
    let definition = instance.definition
    guard let scheme = schemes.scheme(named: definition.auth.scheme), !scheme.readsBody else {
      return nil
    }
    for handshake in definition.handshakes where !handshake.authenticate {
      if handshake.match.needsBody || handshake.match.matches(headersOnly, body: nil) {
        return nil
      }
    }
    if case .refused(let reason) = scheme.authenticate(
      headersOnly, body: nil, secrets: instance.secrets, parameters: definition.auth.parameters)
    {
      return reason
    }
    return nil
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
        try BodyDecoder.decode(request, as: definition.body)
      }
      decoded = result
      return result
    }
    for handshake in definition.handshakes where !handshake.authenticate {
      let fields = handshake.match.needsBody ? try? body().get() : nil
      if handshake.match.matches(request, body: fields) {
        context.fields = fields?.fields
        return Self.answer(handshake, context)
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
        // A form the decoder refuses (no Content-Type, a stray `%zz`, a value in another
        // charset) is read leniently for its token or signed fields: a request the provider
        // signed is kept as quarantined, not refused unstored (its retries would be the same).
        // (Only a body that may be a form: one labelled JSON or multipart is refused 415 as
        // before, not taken for a forgery.)
        let mayBeForm =
          request.mediaType == nil || request.mediaType == "text/plain"
          || BodyFormat.form.accepts(mediaType: request.mediaType)
        guard definition.body.accept.contains(.form), mayBeForm,
          let lenient = Self.lenientForm(request.body, legacy: definition.body.legacyCharset)
        else {
          // Without a readable body the request cannot be authenticated, so it is not stored.
          return .refused(
            HookFailure(status: status(for: error), code: error.code, message: error.message))
        }
        authBody = lenient
      }
    }
    if !replaying,
      case .refused(let reason) = scheme.authenticate(
        request, body: authBody, secrets: instance.secrets,
        parameters: definition.auth.parameters)
    {
      return .unauthenticated(reason: reason)
    }
    context.authenticated = true

    for handshake in definition.handshakes where handshake.authenticate {
      let fields = handshake.match.needsBody ? try? body().get() : nil
      if handshake.match.matches(request, body: fields) {
        context.fields = fields?.fields
        return Self.answer(handshake, context)
      }
    }

    // Until an event handles it, an input is answered with the definition's own replies: a
    // messenger's `quarantined` one covers a body that cannot be read.
    var submission = RawSubmission(
      channel: instance.name, event: "unparsed", idempotencyKey: nil, receivedAt: now,
      transport: TransportMetadata(request, secrets: instance.secrets), body: request.body,
      disposition: .ignored(""), replies: definition.reply ?? Replies(), files: [],
      context: context)
    submission.idempotencyKey = idempotencyKey(request, fields: nil, instance: instance)
    if definition.listingKind != .form {
      submission.transport.kind = definition.listingKind.rawValue
    }

    var decodedBody: DecodedBody
    switch body() {
    case .success(let value): decodedBody = value
    case .failure(let error):
      submission.disposition = .quarantined(
        HookFailure(status: status(for: error), code: error.code, message: error.message),
        partial: nil)
      return .store(submission)
    }
    // Files over the form's limits are left out, not the lead they came with.
    let fileNotes = Self.limitFiles(&decodedBody.files, options: instance.options)
    var units = Self.split(decodedBody.fields, along: definition.split)
    if units.count > Self.maxSplitItems {
      submission.disposition = .quarantined(
        HookFailure(
          status: 400, code: "too_many_items",
          message: "the request carries \(units.count) items; at most \(Self.maxSplitItems)"),
        partial: nil)
      return .store(submission)
    }
    if !definition.filter.isEmpty {
      units = units.map { unit in definition.filter.reduce(unit) { $1.apply(to: $0) } }
    }
    if units.count > 1 {
      // A batch (WhatsApp may deliver several messages in one request, in several entries):
      // each item is handled as if it had come alone, and stored as its own raw item; what
      // one of them says (a status callback to drop) does not decide for the others.
      var parts: [RawSubmission] = []
      for (index, fields) in units.enumerated() {
        let single = DecodedBody(fields: fields, files: decodedBody.files)
        var item = submission
        item.transport.batchItem = index
        if case .store(let part) = dispatch(
          single, request: request, instance: instance, now: now, submission: item,
          context: context, fileNotes: fileNotes)
        {
          parts.append(part)
        }
      }
      if !parts.isEmpty { return .storeAll(parts) }
    }
    // One unit is the body itself, or what a filter left of it.
    let whole =
      units.count == 1 ? DecodedBody(fields: units[0], files: decodedBody.files) : decodedBody
    return dispatch(
      whole, request: request, instance: instance, now: now, submission: submission,
      context: context, fileNotes: fileNotes)
  }

  /// How many inputs one request may carry.
  static let maxSplitItems = 1_000

  /// The body once per item of the `split` lists, level by level (each item in place of its
  /// list); the body itself when no list has more than one item. Stops growing past the limit.
  static func split(_ fields: Value, along paths: [FieldPath]) -> [Value] {
    var units = [fields]
    for path in paths {
      var next: [Value] = []
      for unit in units {
        guard let items = unit.value(at: path)?.array, items.count > 1 else {
          next.append(unit)
          continue
        }
        for item in items {
          next.append(unit.replacing(at: path, with: .array([item])))
          if next.count > maxSplitItems { return next }
        }
      }
      units = next
    }
    return units
  }

  /// Picks the event for a decoded body and decides what becomes of it.
  private func dispatch(
    _ decodedBody: DecodedBody, request: HookRequest, instance: ChannelInstance, now: Date,
    submission: consuming RawSubmission, context: consuming ReplyContext,
    fileNotes: [String: Value] = [:]
  ) -> HookOutcome {
    let definition = instance.definition
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
    if let spec = event.idempotency {
      submission.idempotencyKey = idempotencyKey(
        request, fields: decodedBody.fields, instance: instance, spec: spec)
    }

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
      submission.disposition = Self.callDisposition(
        draft, signals: mapper.signals, now: now, zone: instance.timeZone)
      return .store(submission)
    case .inquiry:
      var mapper = FieldMapper(phone: phone)
      var inquiry = mapper.inquiry(
        from: decodedBody, event: event, request: request, instance: instance, now: now)
      for name in SpamCheck.fieldNames(instance.options) {
        inquiry.extra = inquiry.extra.filter { $0.key.lowercased() != name }
      }
      inquiry.extra.merge(fileNotes) { _, note in note }
      if let verdict = SpamCheck.verdict(decodedBody.fields, options: instance.options, now: now) {
        submission.disposition = .ignored(verdict)
        submission.partial = inquiry
        return .store(submission)
      }
      submission.conversation = Self.conversation(
        decodedBody.fields, instance: instance, receivedAt: now)
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

  /// A handshake's reply, or its refusal when the value it verifies does not match.
  static func answer(_ handshake: ChannelDefinition.Handshake, _ context: ReplyContext)
    -> HookOutcome
  {
    if let verify = handshake.verify {
      let presented = verify.presented.render(context.resolve)
      let expected = verify.expected.render(context.resolve)
      guard !expected.isEmpty, ConstantTime.equals(presented, expected) else {
        if let refuse = handshake.refuse { return .reply(refuse, context) }
        return .refused(
          HookFailure(
            status: 403, code: "forbidden",
            message: "the verification token does not match the channel's configured one"))
      }
    }
    return .reply(handshake.reply, context)
  }

  /// Leaves out the uploads over the instance's `max_file_bytes` and those past its
  /// `max_files`; the lead is taken without them. What was left out is said in the inquiry's
  /// `extra`, as for a letter: `attachments_over_limit` (the names of files too large) and
  /// `attachments_omitted` (how many past the count). The raw item keeps the whole request.
  static func limitFiles(_ files: inout [UploadedFile], options: [String: Value])
    -> [String: Value]
  {
    var notes: [String: Value] = [:]
    if let limit = ChannelOptions.integer(options["max_file_bytes"]) {
      let large = files.filter { $0.data.count > limit }
      if !large.isEmpty {
        notes["attachments_over_limit"] = .array(large.map { .string($0.filename) })
        files.removeAll { $0.data.count > limit }
      }
    }
    if let most = ChannelOptions.integer(options["max_files"]), files.count > max(0, most) {
      notes["attachments_omitted"] = .number(String(files.count - max(0, most)))
      files.removeLast(files.count - max(0, most))
    }
    return notes
  }

  /// The conversation a message belongs to, when the definition declares how to tell.
  static func conversation(_ fields: Value, instance: ChannelInstance, receivedAt: Date)
    -> ConversationReference?
  {
    guard let spec = instance.definition.conversation,
      let key = spec.key.lazy.compactMap({ fields.value(at: $0)?.text }).first(where: {
        !$0.isEmpty
      })
    else { return nil }
    var at = receivedAt
    // Seconds or milliseconds since 1970; anything else (NaN, 1e300) is not an instant.
    if let stamp = spec.at.lazy.compactMap({ fields.value(at: $0)?.text }).compactMap(Double.init)
      .first, stamp > 0, stamp < 1e14
    {
      at = Date(timeIntervalSince1970: stamp > 100_000_000_000 ? stamp / 1000 : stamp)
    }
    let window =
      ChannelOptions.duration(instance.options["conversation_window"])
      ?? ConversationSpec.defaultWindow
    if let scope = spec.scope.lazy.compactMap({ fields.value(at: $0)?.text }).first(where: {
      !$0.isEmpty
    }) {
      return ConversationReference(
        key: "\(instance.name):\(scope):\(key)", at: at, window: window,
        unscopedKey: "\(instance.name):\(key)")
    }
    return ConversationReference(key: "\(instance.name):\(key)", at: at, window: window)
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

  /// A urlencoded body read as browsers and PHP read one (the first value of each name), for
  /// authentication only; nil when it has no field at all.
  static func lenientForm(_ body: [UInt8], legacy: LegacyCharset?) -> DecodedBody? {
    let pairs = FormURLEncoding.parseQuery(String(decoding: body, as: UTF8.self), legacy: legacy)
    guard !pairs.isEmpty else { return nil }
    var fields: [String: Value] = [:]
    for pair in pairs where fields[pair.name] == nil { fields[pair.name] = .string(pair.value) }
    return DecodedBody(fields: .object(fields))
  }

  private func status(for error: BodyDecodingError) -> Int {
    error.code == "unsupported_media_type" ? 415 : 400
  }

  private func idempotencyKey(
    _ request: HookRequest, fields: Value?, instance: ChannelInstance,
    spec: ChannelDefinition.IdempotencySpec? = nil
  ) -> String? {
    guard let spec = spec ?? instance.definition.idempotency else { return nil }
    var key: String?
    if let header = spec.header, let value = request.header(header), !value.isEmpty {
      key = value
    }
    if key == nil, !spec.required.isEmpty,
      !spec.required.contains(where: { fields?.value(at: $0)?.text?.isEmpty == false })
    {
      return nil
    }
    if key == nil, let fields, let template = spec.template {
      let context = ReplyContext(
        request: request, fields: fields, options: instance.options, secrets: instance.secrets)
      // A template none of whose placeholders has a value identifies nothing (`offline:`).
      let (rendered, filled) = template.renderFilled(context.resolve)
      key = rendered.isEmpty || !filled ? nil : rendered
    }
    if key == nil, let fields {
      key = spec.fields.lazy.compactMap { fields.value(at: $0)?.text }.first { !$0.isEmpty }
    }
    return key.map { "\(instance.name):\($0)" }
  }
}
