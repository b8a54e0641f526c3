import Foundation
import Testing

@testable import InletCore

/// A definition that must be refused, and what its error must name.
struct BrokenDefinition: Sendable, CustomTestStringConvertible {
  var label: String
  var yaml: String
  /// Substrings the error's `problem` must contain: the key path first, then the culprit.
  var expected: [String]

  var testDescription: String { label }
}

struct DefinitionLoaderTests {
  // MARK: The shipped definition

  @Test func shippedGenericDefinitionLoads() throws {
    let definition = try Fixtures.genericDefinition()
    #expect(definition.name == "generic")
    #expect(definition.title == "Generic web form or script")
    #expect(definition.auth.scheme == "bearer-or-url-token")
    #expect(definition.body.accept == [.json, .form, .multipart])
    #expect(definition.idempotency?.header == "Idempotency-Key")
    #expect(
      definition.idempotency?.fields == [
        FieldPath("submission_id")!, FieldPath("idempotency_key")!,
      ])
    #expect(definition.handshakes.isEmpty)

    // The top-level mapping becomes the one default event.
    #expect(definition.events.count == 1)
    let event = try #require(definition.events.first)
    #expect(event.name == "default")
    #expect(event.match == nil)
    #expect(event.action == .inquiry)
    #expect(event.kind == .form)
    #expect(
      Set(event.fields.keys) == [
        "sender.name", "sender.email", "sender.phone", "company.name", "company.inn", "subject",
        "text",
      ])
    #expect(event.fields["sender.email"]?.paths.contains(FieldPath("почта")!) == true)
    #expect(event.fields["company.inn"]?.paths == [FieldPath("inn")!, FieldPath("инн")!])
    #expect(event.requireAny == ["sender.email", "sender.phone", "sender.name", "text"])
    guard case .rest(let exclude) = event.extra else {
      Issue.record(
        "extra should be `rest` with an exclusion list, got \(String(describing: event.extra))")
      return
    }
    #expect(exclude == ["token"])
    #expect(event.reply?.created.status == 201)
    #expect(event.reply?.duplicate.status == 200)
    #expect(event.reply?.ignored.status == 202)
    #expect(event.reply?.created.json == .object(["id": "{{inquiry.id}}"]))
  }

  @Test func shippedChannelsFolderLoadsAsADirectory() throws {
    let definitions = try ChannelDefinitionLoader.loadDirectory(Fixtures.channelsFolder)
    #expect(definitions["generic"]?.auth.scheme == "bearer-or-url-token")
    for (name, definition) in definitions {
      #expect(definition.name == name)
    }
  }

  // MARK: Valid minimal definitions

  @Test func onlyAnAuthSchemeIsRequired() throws {
    let definition = try ChannelDefinitionLoader.parse(
      yaml: "auth: { scheme: bearer-or-url-token }\n", name: "tiny")
    #expect(definition.name == "tiny")
    #expect(definition.title == nil)
    #expect(definition.body.accept == [.json, .form])
    #expect(definition.body.jsonField == nil)
    #expect(definition.idempotency == nil)
    #expect(definition.options.isEmpty)
    #expect(definition.events.count == 1)
    #expect(definition.events[0].name == "default")
    #expect(definition.events[0].action == .inquiry)
    #expect(definition.events[0].fields.isEmpty)
    #expect(definition.events[0].reply == nil)
  }

  @Test func nameInTheFileWinsOverTheFileName() throws {
    let definition = try ChannelDefinitionLoader.parse(
      yaml: "name: real-name\nauth:\n  scheme: bearer-or-url-token\n", name: "file-name")
    #expect(definition.name == "real-name")
  }

  @Test func eventsInheritTheTopLevelDefaults() throws {
    let yaml = """
      auth: { scheme: bearer-or-url-token }
      kind: message
      fields:
        sender.name: name
        text: [message, text]
      require_any: [text]
      reply: { status: 202, json: { ok: true } }
      events:
        - name: special
          match: { fields: { type: special } }
          kind: call
          fields:
            text: { paths: [body], default: "(empty)" }
          reply:
            created: { status: 201, text: "made {{inquiry.id}}" }
        - name: plain
      """
    let definition = try ChannelDefinitionLoader.parse(yaml: yaml, name: "inherit")
    #expect(definition.events.map(\.name) == ["special", "plain"])
    let special = definition.events[0]
    let plain = definition.events[1]

    #expect(special.kind == .call)
    #expect(plain.kind == .message)
    // An event's own rule wins; missing ones come from the top level.
    #expect(special.fields["text"]?.paths == [FieldPath("body")!])
    #expect(special.fields["text"]?.defaultValue == "(empty)")
    #expect(special.fields["sender.name"]?.paths == [FieldPath("name")!])
    #expect(plain.fields["text"]?.paths == [FieldPath("message")!, FieldPath("text")!])
    #expect(special.requireAny == ["text"])
    // `created` alone: duplicate and ignored fall back to it.
    #expect(special.reply?.created.status == 201)
    #expect(special.reply?.duplicate.text?.source == "made {{inquiry.id}}")
    #expect(special.reply?.ignored.status == 201)
    // A single reply at the top level is used for all three.
    #expect(plain.reply?.created.status == 202)
    #expect(plain.reply?.duplicate.json == .object(["ok": .bool(true)]))
  }

  @Test func fieldRulesAcceptEveryDocumentedShape() throws {
    let yaml = """
      auth: { scheme: bearer-or-url-token }
      fields:
        sender.name: contact.name
        sender.email: [email, "fields[email][value]"]
        kind: { paths: [disposition], map: { answered: call, "*": missed_call } }
        call.direction: { value: in }
        subject: { template: "Call from {{field.caller}}" }
        text: { default: "no text" }
        company.name: { labels: [{ form.a: "A" }, { "form.b": "B" }] }
      extra: { only: [utm_source, "page.url"] }
      """
    let definition = try ChannelDefinitionLoader.parse(yaml: yaml, name: "shapes")
    let fields = definition.events[0].fields
    #expect(fields["sender.name"]?.paths == [FieldPath("contact.name")!])
    #expect(fields["sender.email"]?.paths.last?.segments == ["fields", "email", "value"])
    #expect(fields["kind"]?.map == ["answered": "call", "*": "missed_call"])
    #expect(fields["call.direction"]?.value == "in")
    #expect(fields["subject"]?.template?.namespaces == ["field"])
    #expect(fields["text"]?.defaultValue == "no text")
    #expect(
      fields["company.name"]?.labels.map(\.path) == [FieldPath("form.a")!, FieldPath("form.b")!])
    #expect(fields["company.name"]?.labels.map(\.label) == ["A", "B"])
    guard case .only(let paths) = definition.events[0].extra else {
      Issue.record("extra should be `only`")
      return
    }
    #expect(paths.map(\.description) == ["utm_source", "page.url"])
  }

  // MARK: Broken definitions name the key path

  static let broken: [BrokenDefinition] = [
    BrokenDefinition(
      label: "a label of two pairs",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        fields:
          text: { labels: [{ a: "A", b: "B" }] }
        """,
      expected: ["labels", "one `path: label` pair"]),
    BrokenDefinition(
      label: "unknown top-level key (typo)",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        feilds:
          sender.name: [name]
        """,
      expected: ["feilds", "unknown key `feilds`"]),
    BrokenDefinition(
      label: "unknown key inside auth",
      yaml: "auth: { scheme: bearer-or-url-token, secret: x }\n",
      expected: ["auth.secret", "unknown key"]),
    BrokenDefinition(
      label: "missing auth",
      yaml: "title: no auth\n",
      expected: ["auth", "required key is missing"]),
    BrokenDefinition(
      label: "unknown auth scheme",
      yaml: "auth: { scheme: hmac-of-the-moon }\n",
      expected: ["auth.scheme", "hmac-of-the-moon", "bearer-or-url-token"]),
    BrokenDefinition(
      label: "unknown inquiry field target in an event",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        events:
          - name: lead
            fields:
              sender.mail: [email]
        """,
      expected: ["events[0].fields.sender.mail", "unknown inquiry field `sender.mail`"]),
    BrokenDefinition(
      label: "bad field path in a list",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        fields:
          sender.email: [email, "[]"]
        """,
      expected: ["fields.sender.email", "`[]` is not a field path"]),
    BrokenDefinition(
      label: "bad field path in a rule's paths",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        fields:
          sender.email: { paths: ["."] }
        """,
      expected: ["fields.sender.email.paths", "`.` is not a field path"]),
    BrokenDefinition(
      label: "bad idempotency field path",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        idempotency: { fields: [tranid, ""] }
        """,
      expected: ["idempotency.fields", "is not a field path"]),
    BrokenDefinition(
      label: "field rule with nothing to read",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        fields:
          sender.name: { map: { a: b } }
        """,
      expected: ["fields.sender.name", "a field rule needs"]),
    BrokenDefinition(
      label: "international that is neither a flag nor fallback",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        fields:
          sender.phone: { paths: [from], international: sometimes }
        """,
      expected: ["fields.sender.phone.international", "true, false or fallback"]),
    BrokenDefinition(
      label: "reply with both json and text",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        reply: { status: 200, json: { ok: true }, text: ok }
        """,
      expected: ["reply.text", "not both"]),
    BrokenDefinition(
      label: "named reply with both json and text",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        reply:
          created: { json: { ok: true }, text: ok }
        """,
      expected: ["reply.created.text", "not both"]),
    BrokenDefinition(
      label: "unknown template namespace in a reply",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        reply: { json: { id: "{{foo.bar}}" } }
        """,
      expected: ["reply.created.json.id", "unknown placeholder namespace `foo`", "{{foo.bar}}"]),
    BrokenDefinition(
      label: "unknown template namespace in a handshake",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        handshakes:
          - match: { query: { echo: "*" } }
            reply: { text: "{{nope.echo}}" }
        """,
      expected: ["handshakes[0].reply.text", "`nope`"]),
    BrokenDefinition(
      label: "unknown template namespace in the idempotency template",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        idempotency: { template: "{{body.id}}" }
        """,
      expected: ["idempotency.template", "`body`"]),
    BrokenDefinition(
      label: "unknown template namespace in a field template",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        fields:
          subject: { template: "{{foo.bar}}" }
        """,
      expected: ["fields.subject.template", "`foo`"]),
    BrokenDefinition(
      label: "empty body.accept",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        body: { accept: [] }
        """,
      expected: ["body.accept", "at least one decoder"]),
    BrokenDefinition(
      label: "unknown body decoder",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        body: { accept: [json, protobuf] }
        """,
      expected: ["body.accept"]),
    BrokenDefinition(
      label: "invalid YAML",
      yaml: "auth: { scheme: bearer-or-url-token\nfields: [\n",
      expected: ["not valid YAML"]),
    BrokenDefinition(
      label: "a list instead of a mapping",
      yaml: "- auth\n- fields\n",
      expected: ["(top level)"]),
    BrokenDefinition(
      label: "HTTP status out of range",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        reply: { status: 700 }
        """,
      expected: ["reply.status", "between 200 and 599"]),
    BrokenDefinition(
      label: "HTTP status below 200 in a named reply",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        reply:
          duplicate: { status: 99 }
        """,
      expected: ["reply.duplicate.status", "between 200 and 599"]),
    BrokenDefinition(
      label: "HTTP status that is not a number",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        reply: { status: ok }
        """,
      expected: ["reply.status"]),
    BrokenDefinition(
      label: "unknown event action",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        events:
          - name: x
            action: delete
        """,
      expected: ["events[0].action"]),
    BrokenDefinition(
      label: "unknown require_any target",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        require_any: [sender.mail]
        """,
      expected: ["require_any", "`sender.mail`"]),
    BrokenDefinition(
      label: "unknown key in an event's match",
      yaml: """
        auth: { scheme: bearer-or-url-token }
        events:
          - name: x
            match: { feild: { a: b } }
        """,
      expected: ["events[0].match.feild", "unknown key"]),
  ]

  @Test(arguments: broken)
  func brokenDefinitionIsRefusedWithItsKeyPath(_ broken: BrokenDefinition) throws {
    let error = #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(yaml: broken.yaml, name: "broken", file: "broken.yaml")
    }
    let caught = try #require(error)
    #expect(caught.file == "broken.yaml")
    for part in broken.expected {
      #expect(caught.problem.contains(part), "problem: \(caught.problem)")
    }
    #expect(caught.description.hasPrefix("broken.yaml: "))
  }

  /// A value of the wrong kind is named as the file's author writes it: a list, a section.
  @Test func wrongKindIsNamedInTheAuthorsWords() throws {
    let error = #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(
        yaml: "auth: { scheme: bearer-or-url-token }\nbody: [json]\n", name: "kind")
    }
    let problem = try #require(error?.problem)
    #expect(problem.hasPrefix("body: expected a section of `key: value` lines"), "\(problem)")
  }

  /// Top-level `fields:` is where a one-event provider (the generic form) declares its mapping,
  /// so a typo there must be caught just as it is inside `events:`.
  @Test func unknownTopLevelFieldTargetIsRefused() throws {
    let yaml = """
      auth: { scheme: bearer-or-url-token }
      fields:
        sender.mail: [email]
      """
    let error = #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(yaml: yaml, name: "typo")
    }
    #expect(error?.problem.contains("fields.sender.mail") == true)
  }

  /// A syntax error is only useful with its position: the file may be long.
  @Test func invalidYAMLNamesTheLineAndColumn() throws {
    let error = #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(
        yaml: "auth: { scheme: bearer-or-url-token\nfields: [\n", name: "broken")
    }
    let problem = try #require(error?.problem)
    #expect(problem.contains("line 1, column 7") || problem.contains("2:7"), "\(problem)")
  }

  /// Without `events:`, the top-level `reply:` and `fields:` are what the author wrote, so the
  /// error should point there rather than at an `events[0]` the file does not have.
  @Test(arguments: [
    ("reply: { json: { id: \"{{foo.bar}}\" } }", "reply.created.json.id"),
    ("fields:\n  subject: { template: \"{{foo.bar}}\" }", "fields.subject.template"),
    ("require_any: [sender.mail]", "require_any"),
  ])
  func topLevelProblemsNameTheTopLevelKey(snippet: String, keyPath: String) throws {
    let error = #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(
        yaml: "auth: { scheme: bearer-or-url-token }\n" + snippet, name: "top")
    }
    let problem = try #require(error?.problem)
    #expect(problem.contains(keyPath))
    #expect(problem.hasPrefix(keyPath + ":"), "\(problem)")
  }

  // MARK: A folder of definitions

  @Test func loadDirectoryReadsEveryYAMLFileByName() throws {
    let definitions = try Fixtures.withTemporaryFolder { folder in
      try Fixtures.write(
        "auth: { scheme: bearer-or-url-token }\nkind: message\n", to: "alpha.yaml", in: folder)
      try Fixtures.write(
        "name: beta-provider\nauth: { scheme: bearer-or-url-token }\nbody: { accept: [form] }\n",
        to: "beta.yml", in: folder)
      try Fixtures.write("not: [a definition", to: "notes.txt", in: folder)
      return try ChannelDefinitionLoader.loadDirectory(folder)
    }
    #expect(Set(definitions.keys) == ["alpha", "beta-provider"])
    #expect(definitions["alpha"]?.events.first?.kind == .message)
    #expect(definitions["beta-provider"]?.body.accept == [.form])
  }

  @Test func loadDirectoryRefusesTheSameNameTwice() throws {
    let error = try Fixtures.withTemporaryFolder { folder in
      try Fixtures.write(
        "name: same\nauth: { scheme: bearer-or-url-token }\n", to: "one.yaml", in: folder)
      try Fixtures.write(
        "name: same\nauth: { scheme: bearer-or-url-token }\n", to: "two.yaml", in: folder)
      return #expect(throws: DefinitionError.self) {
        try ChannelDefinitionLoader.loadDirectory(folder)
      }
    }
    let caught = try #require(error)
    #expect(caught.problem.hasPrefix("name: `same` is defined twice, here and in "))
    #expect(caught.problem.hasSuffix("/one.yaml"))
    #expect(caught.file.hasSuffix("two.yaml"))
  }

  /// A shipped definition copied to start one's own, its `name:` not changed yet: the error
  /// names both files and tells which one is the copy.
  @Test func loadDirectoryNamesTheCopy() throws {
    let error = try Fixtures.withTemporaryFolder { folder in
      let text = "name: sipuni\nauth: { scheme: bearer-or-url-token }\n"
      try Fixtures.write(text, to: "sipuni.yaml", in: folder)
      try Fixtures.write(text, to: "my-pbx.yaml", in: folder)
      return #expect(throws: DefinitionError.self) {
        try ChannelDefinitionLoader.loadDirectory(folder)
      }
    }
    let caught = try #require(error)
    #expect(caught.file.hasSuffix("/sipuni.yaml"))
    #expect(caught.problem.contains("/my-pbx.yaml"))
    #expect(
      caught.problem.hasSuffix(
        "give the copy its own name (`name: my-pbx`) or move it out of the folder"))
  }

  @Test func loadDirectoryNamesTheBrokenFile() throws {
    let error = try Fixtures.withTemporaryFolder { folder in
      try Fixtures.write("auth: { scheme: bearer-or-url-token }\n", to: "good.yaml", in: folder)
      try Fixtures.write(
        "auth: { scheme: bearer-or-url-token }\nfeilds: {}\n", to: "typo.yaml", in: folder)
      return #expect(throws: DefinitionError.self) {
        try ChannelDefinitionLoader.loadDirectory(folder)
      }
    }
    let caught = try #require(error)
    #expect(caught.file.hasSuffix("typo.yaml"))
    #expect(caught.problem.hasPrefix("feilds:"))
  }

  @Test func loadDirectoryOfAMissingFolderFails() throws {
    let missing = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-no-such-folder-\(UUID().uuidString)")
    let error = #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.loadDirectory(missing)
    }
    #expect(error?.problem.contains("cannot read the channel definitions folder") == true)
  }

  @Test func anEmptyFolderHasNoDefinitions() throws {
    let definitions = try Fixtures.withTemporaryFolder { folder in
      try ChannelDefinitionLoader.loadDirectory(folder)
    }
    #expect(definitions.isEmpty)
  }
}

// MARK: - A new provider from a file, with no Swift change

/// A fictional cloud PBX, declared only in YAML: the token scheme that is built in, form bodies,
/// a `GET ?echo=` handshake before any secret is set up, two events told apart by a field, an
/// idempotency key from two fields and a value map onto the inquiry kind.
private let acmePBXDefinition = """
  # Acme PBX posts one form per call event and checks the URL with GET ?echo=… first.
  title: Acme cloud PBX
  auth:
    scheme: bearer-or-url-token
  body:
    accept: [form]
  idempotency:
    template: "{{field.call_id}}:{{field.event}}"
  handshakes:
    - name: echo
      match: { method: GET, query: { echo: "*" } }
      authenticate: false
      reply: { status: 200, text: "{{query.echo}}", content_type: text/plain }
  events:
    - name: call_end
      match: { fields: { event: call_end } }
      kind: missed_call
      fields:
        kind: { paths: [status], map: { answered: call, "*": missed_call } }
        sender.phone: caller
        call.duration_s: duration
        call.did: did
        call.direction: { value: in }
        source.call_id: call_id
      require_any: [sender.phone, source.call_id]
      reply: { status: 200, json: { ok: true, call: "{{field.call_id}}" } }
    - name: ping
      match: { fields: { event: ping } }
      action: drop
      reply: { status: 200, text: pong }
  """

extension DefinitionLoaderTests {
  /// Loads the Acme PBX definition from a temporary folder, as the daemon would from
  /// `channels_dir`, and binds it to an instance named `pbx`.
  private static func acmeInstance() throws -> ChannelInstance {
    let definitions = try Fixtures.withTemporaryFolder { folder in
      try Fixtures.write(acmePBXDefinition, to: "acme-pbx.yaml", in: folder)
      return try ChannelDefinitionLoader.loadDirectory(folder)
    }
    let definition = try #require(definitions["acme-pbx"])
    return ChannelInstance(
      name: "pbx", definition: definition, secrets: ChannelSecrets(["token": "pbx-secret"]))
  }

  private static func callEnd(_ form: String, token: String? = "pbx-secret") -> HookRequest {
    .post(
      "application/x-www-form-urlencoded", form,
      query: token.map { [(name: "token", value: $0)] } ?? [])
  }

  @Test func acmeDefinitionLoadsFromAFolder() throws {
    let instance = try Self.acmeInstance()
    let definition = instance.definition
    #expect(definition.name == "acme-pbx")
    #expect(definition.title == "Acme cloud PBX")
    #expect(definition.body.accept == [.form])
    #expect(definition.handshakes.map(\.authenticate) == [false])
    #expect(definition.events.map(\.name) == ["call_end", "ping"])
    #expect(definition.events.map(\.action) == [.inquiry, .drop])
    #expect(definition.idempotency?.template?.source == "{{field.call_id}}:{{field.event}}")
  }

  @Test func acmeEchoHandshakeAnswersWithoutAuthentication() throws {
    let instance = try Self.acmeInstance()
    let outcome = HookProcessor().process(
      .get([(name: "echo", value: "chk-4711")]), for: instance, now: Fixtures.now)
    let (reply, context) = try #require(outcome.immediateReply)
    #expect(reply.status == 200)
    #expect(reply.contentType == "text/plain")
    #expect(reply.renderedText(context) == "chk-4711")
  }

  @Test func acmeRequestWithoutEchoOrTokenIsUnauthenticated() throws {
    let instance = try Self.acmeInstance()
    let processor = HookProcessor()
    #expect(processor.process(.get([]), for: instance).unauthenticatedReason != nil)
    #expect(
      processor.process(
        Self.callEnd("event=call_end&call_id=c-1", token: nil), for: instance
      ).unauthenticatedReason != nil)
    #expect(
      processor.process(
        Self.callEnd("event=call_end&call_id=c-1", token: "guess"), for: instance
      ).unauthenticatedReason == "wrong token")
  }

  @Test func acmeCallEndBecomesAMissedCallInquiry() throws {
    let instance = try Self.acmeInstance()
    let form =
      "event=call_end&call_id=c-981&caller=8+(916)+123-45-67&did=74951234567"
      + "&duration=0&status=no_answer&line=sales"
    let outcome = HookProcessor().process(Self.callEnd(form), for: instance, now: Fixtures.now)
    let submission = try #require(outcome.submission)
    #expect(submission.channel == "pbx")
    #expect(submission.event == "call_end")
    #expect(submission.idempotencyKey == "pbx:c-981:call_end")
    #expect(submission.body == Array(form.utf8))

    let inquiry = try #require(submission.inquiry)
    #expect(inquiry.channel == "pbx")
    #expect(inquiry.kind == .missedCall)
    #expect(inquiry.receivedAt == Fixtures.now)
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.source.callID == "c-981")
    #expect(inquiry.call?.durationS == 0)
    #expect(inquiry.call?.did == "+74951234567")
    #expect(inquiry.call?.direction == "in")
    // Mapped fields are consumed; what is left over lands in `extra`.
    #expect(inquiry.extra["line"] == "sales")
    for consumed in ["call_id", "caller", "did", "duration", "status"] {
      #expect(inquiry.extra[consumed] == nil, "\(consumed) should not be in extra")
    }

    let reply = submission.replies.created
    #expect(reply.status == 200)
    #expect(
      reply.renderedJSON(submission.context) == .object(["ok": .bool(true), "call": "c-981"]))
  }

  @Test(arguments: [
    ("answered", InquiryKind.call),
    ("ANSWERED", .call),
    ("no_answer", .missedCall),
    ("busy", .missedCall),
  ])
  func acmeStatusIsMappedOntoTheKind(status: String, kind: InquiryKind) throws {
    let instance = try Self.acmeInstance()
    let outcome = HookProcessor().process(
      Self.callEnd("event=call_end&call_id=c-2&caller=%2B79161234567&duration=42&status=\(status)"),
      for: instance)
    let inquiry = try #require(outcome.submission?.inquiry)
    #expect(inquiry.kind == kind)
    #expect(inquiry.call?.durationS == 42)
  }

  @Test func acmeWithoutStatusKeepsTheEventKind() throws {
    let instance = try Self.acmeInstance()
    let outcome = HookProcessor().process(
      Self.callEnd("event=call_end&call_id=c-3&caller=89161234567"), for: instance)
    let inquiry = try #require(outcome.submission?.inquiry)
    #expect(inquiry.kind == .missedCall)
    #expect(inquiry.call?.durationS == nil)
  }

  @Test func acmePingIsDroppedWithItsReply() throws {
    let instance = try Self.acmeInstance()
    let request = HookRequest.post(
      "application/x-www-form-urlencoded", "event=ping",
      headers: [(name: "Authorization", value: "Bearer pbx-secret")])
    let (reply, context) = try #require(
      HookProcessor().process(request, for: instance).immediateReply)
    #expect(reply.status == 200)
    #expect(reply.renderedText(context) == "pong")
  }

  @Test func acmeUnknownEventIsQuarantinedForReplay() throws {
    let instance = try Self.acmeInstance()
    let outcome = HookProcessor().process(
      Self.callEnd("event=call_start&call_id=c-4"), for: instance)
    let submission = try #require(outcome.submission)
    #expect(submission.event == "unparsed")
    #expect(submission.idempotencyKey == "pbx:c-4:call_start")
    let failure = try #require(submission.quarantineFailure)
    #expect(failure.status == 400)
    #expect(failure.code == "unknown_event")
  }

  @Test func acmeJSONBodyIsNotAccepted() throws {
    let instance = try Self.acmeInstance()
    let outcome = HookProcessor().process(
      .post(
        "application/json", #"{"event":"call_end"}"#, query: [(name: "token", value: "pbx-secret")]),
      for: instance)
    let failure = try #require(outcome.submission?.quarantineFailure)
    #expect(failure.status == 415)
    #expect(failure.code == "unsupported_media_type")
  }

  /// `require_any` accepts every mapping target, so a call-only provider may require
  /// `call.did`; a call that carries it must then not be quarantined.
  @Test func requireAnyOnACallFieldIsSatisfiedByThatField() throws {
    let yaml = """
      auth: { scheme: bearer-or-url-token }
      body: { accept: [form] }
      kind: call
      fields:
        call.did: did
        call.duration_s: duration
      require_any: [call.did]
      """
    let definition = try ChannelDefinitionLoader.parse(yaml: yaml, name: "did-only")
    let instance = ChannelInstance(
      name: "did", definition: definition, secrets: ChannelSecrets(["token": "t"]))
    let outcome = HookProcessor().process(
      .post(
        "application/x-www-form-urlencoded", "did=74951234567&duration=5",
        query: [(name: "token", value: "t")]),
      for: instance)
    let submission = try #require(outcome.submission)
    // The field is mapped (the partial inquiry of the quarantine has it) …
    let mapped = submission.inquiry ?? submission.quarantinePartial
    #expect(mapped?.call?.did == "+74951234567")
    // … yet `require_any` does not see it.
    #expect(submission.quarantineFailure == nil)
    #expect(submission.inquiry != nil)
  }
}
