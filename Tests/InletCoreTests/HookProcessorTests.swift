import Foundation
import Testing

@testable import InletCore

/// The webhook pipeline's pure part, driven by the shipped generic definition.
struct HookProcessorTests {
  private static let token = "s1te-t0ken"

  private let instance: ChannelInstance
  private let processor = HookProcessor()

  init() throws {
    instance = ChannelInstance(
      name: "site", definition: try Fixtures.genericDefinition(),
      secrets: ChannelSecrets(["token": Self.token]))
  }

  /// A JSON POST authenticated with the bearer token unless told otherwise.
  private static func json(
    _ text: String,
    headers: [(name: String, value: String)] = [
      (name: "Authorization", value: "Bearer \(token)")
    ], query: [(name: String, value: String)] = []
  ) -> HookRequest {
    .post("application/json", text, query: query, headers: headers)
  }

  private func inquiry(
    _ request: HookRequest, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> Inquiry {
    let submission = try #require(
      processor.process(request, for: instance, now: Fixtures.now).submission,
      sourceLocation: sourceLocation)
    return try #require(submission.inquiry, sourceLocation: sourceLocation)
  }

  // MARK: A valid lead

  @Test func validJSONBecomesAnInquiry() throws {
    let body = """
      {"name": "Иван Петров", "email": "Ivan.Petrov@Example.RU", "phone": "8 (916) 123-45-67",
       "inn": "7707083893", "company": "ООО «Ромашка»", "subject": "Счёт",
       "message": "Нужен счёт на 10 лицензий", "utm_source": "yandex", "page": "/pricing",
       "token": "\(Self.token)"}
      """
    let outcome = processor.process(Self.json(body), for: instance, now: Fixtures.now)
    let submission = try #require(outcome.submission)
    #expect(submission.channel == "site")
    #expect(submission.event == "default")
    #expect(submission.receivedAt == Fixtures.now)
    #expect(submission.body == Array(body.utf8))
    #expect(submission.idempotencyKey == nil)
    #expect(submission.files.isEmpty)
    #expect(submission.replies.created.status == 201)
    #expect(submission.replies.duplicate.status == 200)

    let inquiry = try #require(submission.inquiry)
    #expect(inquiry.channel == "site")
    #expect(inquiry.kind == .form)
    #expect(inquiry.status == "new")
    #expect(inquiry.receivedAt == Fixtures.now)
    #expect(inquiry.sender.name == "Иван Петров")
    #expect(inquiry.sender.email == "ivan.petrov@example.ru")
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.company == Inquiry.Company(name: "ООО «Ромашка»", inn: "7707083893"))
    #expect(inquiry.subject == "Счёт")
    #expect(inquiry.text == "Нужен счёт на 10 лицензий")
    #expect(inquiry.extra == ["utm_source": "yandex", "page": "/pricing"])
    #expect(inquiry.call == nil)
  }

  @Test func createdReplyRendersTheInquiryID() throws {
    let outcome = processor.process(Self.json(#"{"name":"A"}"#), for: instance)
    var submission = try #require(outcome.submission)
    submission.context.inquiryID = "1042"
    #expect(
      submission.replies.created.renderedJSON(submission.context) == .object(["id": "1042"]))
    #expect(
      submission.replies.duplicate.renderedJSON(submission.context)
        == .object(["id": "1042", "duplicate": .bool(true)]))
  }

  @Test func russianFieldNamesAreRecognised() throws {
    let body = """
      {"имя": "Мария", "телефон": "+7 916 123 45 67", "почта": "maria@пример.рф",
       "инн": "7707083893", "компания": "ИП Иванова", "сообщение": "Перезвоните"}
      """
    let inquiry = try inquiry(Self.json(body))
    #expect(inquiry.sender.name == "Мария")
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.sender.email == "maria@пример.рф")
    #expect(inquiry.company == Inquiry.Company(name: "ИП Иванова", inn: "7707083893"))
    #expect(inquiry.text == "Перезвоните")
    #expect(inquiry.extra.isEmpty)
  }

  @Test(arguments: [
    #"{"Name": "Anna", "EMAIL": "ANNA@MAIL.RU", "Phone": "89161234567"}"#,
    #"{"NAME": "Anna", "Email": "anna@mail.ru", "PHONE": "+79161234567"}"#,
    #"{"ИМЯ": "Anna", "Почта": "Anna@Mail.Ru", "Телефон": "8 916 123-45-67"}"#,
  ])
  func fieldNamesIgnoreLetterCase(_ body: String) throws {
    let inquiry = try inquiry(Self.json(body))
    #expect(inquiry.sender.name == "Anna")
    #expect(inquiry.sender.email == "anna@mail.ru")
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.extra.isEmpty)
  }

  @Test func urlencodedAndMultipartBodiesWorkToo() throws {
    let form = try inquiry(
      .post(
        "application/x-www-form-urlencoded",
        "name=%D0%9E%D0%BB%D0%B5%D0%B3&tel=8+916+123+45+67&utm_campaign=spring",
        query: [(name: "token", value: Self.token)]))
    #expect(form.sender.name == "Олег")
    #expect(form.sender.phone == "+79161234567")
    #expect(form.extra == ["utm_campaign": "spring"])

    let boundary = "XyZ"
    let multipart = [
      "--\(boundary)", "Content-Disposition: form-data; name=\"fio\"", "", "Олег",
      "--\(boundary)",
      "Content-Disposition: form-data; name=\"file\"; filename=\"реквизиты.txt\"",
      "Content-Type: text/plain", "", "ИНН 7707083893", "--\(boundary)--", "",
    ].joined(separator: "\r\n")
    let outcome = processor.process(
      .post(
        "multipart/form-data; boundary=\(boundary)", multipart,
        query: [(name: "token", value: Self.token)]),
      for: instance)
    let submission = try #require(outcome.submission)
    #expect(submission.inquiry?.sender.name == "Олег")
    #expect(submission.files.map(\.filename) == ["реквизиты.txt"])
    #expect(submission.files.first?.data == Array("ИНН 7707083893".utf8))
  }

  @Test func getWithTheLeadInTheQueryString() throws {
    let inquiry = try inquiry(
      .get([
        (name: "token", value: Self.token), (name: "phone", value: "8 916 123 45 67"),
        (name: "comment", value: "перезвоните"), (name: "utm_term", value: "crm"),
      ]))
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.text == "перезвоните")
    #expect(inquiry.extra == ["utm_term": "crm"])
  }

  @Test func jsonNumbersAreReadAsText() throws {
    let inquiry = try inquiry(Self.json(#"{"phone": 89161234567, "inn": 7707083893}"#))
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.company?.inn == "7707083893")
  }

  // MARK: Extra

  @Test(arguments: [
    #"{"name": "A", "token": "s1te-t0ken"}"#,
    #"{"name": "A", "Token": "anything"}"#,
    #"{"name": "A", "TOKEN": "x", "authorization": "Bearer y"}"#,
  ])
  func tokenIsNeverKeptInExtra(_ body: String) throws {
    let inquiry = try inquiry(Self.json(body))
    #expect(inquiry.extra.isEmpty)
  }

  @Test func nestedAndEmptyUnknownFields() throws {
    let inquiry = try inquiry(
      Self.json(#"{"email": "a@b.ru", "utm": {"source": "vk"}, "blank": " ", "none": null}"#))
    #expect(inquiry.extra == ["utm": .object(["source": "vk"])])
  }

  @Test func anAliasThatLostToAnotherStaysInExtra() throws {
    let inquiry = try inquiry(Self.json(#"{"name": "Anna", "fio": "Анна Ивановна"}"#))
    #expect(inquiry.sender.name == "Anna")
    #expect(inquiry.extra == ["fio": "Анна Ивановна"])
  }

  // MARK: Authentication

  @Test(arguments: [
    [(name: "Authorization", value: "Bearer s1te-t0ken")],
    [(name: "authorization", value: "bearer s1te-t0ken")],
    [(name: "AUTHORIZATION", value: "Bearer   s1te-t0ken ")],
  ])
  func bearerHeaderAuthenticates(_ headers: [(name: String, value: String)]) throws {
    let outcome = processor.process(Self.json(#"{"name":"A"}"#, headers: headers), for: instance)
    #expect(outcome.submission?.inquiry?.sender.name == "A")
  }

  @Test func queryTokenAuthenticates() throws {
    let outcome = processor.process(
      Self.json(#"{"name":"A"}"#, headers: [], query: [(name: "token", value: Self.token)]),
      for: instance)
    #expect(outcome.submission?.inquiry?.sender.name == "A")
  }

  @Test(arguments: [
    ([(name: String, value: String)](), [(name: String, value: String)]()),
    ([(name: "Authorization", value: "Bearer wrong")], []),
    ([(name: "Authorization", value: "Bearer s1te-t0ke")], []),
    ([(name: "Authorization", value: "Bearer s1te-t0kenX")], []),
    ([(name: "Authorization", value: "Basic czF0ZS10MGtlbg==")], []),
    ([], [(name: "token", value: "wrong")]),
    ([], [(name: "TOKEN", value: "s1te-t0ken")]),
    ([(name: "X-Token", value: "s1te-t0ken")], []),
  ])
  func missingOrWrongTokenIsUnauthenticated(
    headers: [(name: String, value: String)], query: [(name: String, value: String)]
  ) throws {
    let outcome = processor.process(
      Self.json(#"{"name":"A"}"#, headers: headers, query: query), for: instance)
    let reason = try #require(outcome.unauthenticatedReason)
    #expect(!reason.contains(Self.token))
  }

  @Test func unauthenticatedMalformedBodyIsNotStored() {
    let outcome = processor.process(
      Self.json("{not json", headers: [(name: "Authorization", value: "Bearer wrong")]),
      for: instance)
    #expect(outcome.unauthenticatedReason == "wrong token")
  }

  @Test func instanceWithoutATokenRefusesEverything() {
    let open = ChannelInstance(
      name: "site", definition: instance.definition, secrets: ChannelSecrets([:]))
    let emptyToken = ChannelInstance(
      name: "site", definition: instance.definition, secrets: ChannelSecrets(["token": ""]))
    for channel in [open, emptyToken] {
      let outcome = processor.process(
        Self.json(#"{"name":"A"}"#, headers: [(name: "Authorization", value: "Bearer ")]),
        for: channel)
      #expect(outcome.unauthenticatedReason == "the channel has no token configured")
    }
  }

  // MARK: Idempotency

  @Test(arguments: [
    (#"{"name":"A"}"#, [(name: "Idempotency-Key", value: "form-77")], "site:form-77"),
    (#"{"name":"A"}"#, [(name: "idempotency-key", value: "form-77")], "site:form-77"),
    (#"{"name":"A","submission_id":"sub-9"}"#, [], "site:sub-9"),
    (#"{"name":"A","submission_id":12345}"#, [], "site:12345"),
    (#"{"name":"A","idempotency_key":"k-1"}"#, [], "site:k-1"),
    (#"{"name":"A","submission_id":"","idempotency_key":"k-2"}"#, [], "site:k-2"),
    (
      #"{"name":"A","submission_id":"sub-9"}"#, [(name: "Idempotency-Key", value: "hdr")],
      "site:hdr"
    ),
  ])
  func idempotencyKey(
    body: String, headers: [(name: String, value: String)], expected: String
  ) throws {
    let outcome = processor.process(
      Self.json(body, headers: headers, query: [(name: "token", value: Self.token)]),
      for: instance)
    let submission = try #require(outcome.submission)
    #expect(submission.idempotencyKey == expected)
    // The key fields are bookkeeping, not lead data.
    #expect(submission.inquiry?.extra.isEmpty == true)
  }

  @Test func noIdempotencyKeyWithoutHeaderOrField() throws {
    let outcome = processor.process(Self.json(#"{"name":"A","id":"x"}"#), for: instance)
    #expect(try #require(outcome.submission).idempotencyKey == nil)
  }

  // MARK: Quarantine

  @Test func malformedJSONIsQuarantined() throws {
    let request = Self.json(
      #"{"name": "A", "email": "#,
      headers: [
        (name: "Authorization", value: "Bearer \(Self.token)"),
        (name: "Idempotency-Key", value: "retry-1"),
      ])
    let submission = try #require(processor.process(request, for: instance).submission)
    let failure = try #require(submission.quarantineFailure)
    #expect(failure.status == 400)
    #expect(failure.code == "malformed_body")
    #expect(submission.quarantinePartial == nil)
    #expect(submission.event == "unparsed")
    // The raw bytes and the header key are kept so a replay can find and re-read it.
    #expect(submission.body == request.body)
    #expect(submission.idempotencyKey == "site:retry-1")
  }

  @Test func plainTextIsQuarantinedAsUnsupported() throws {
    let request = HookRequest.post(
      "text/plain", "name: A", query: [(name: "token", value: Self.token)])
    let submission = try #require(processor.process(request, for: instance).submission)
    let failure = try #require(submission.quarantineFailure)
    #expect(failure.status == 415)
    #expect(failure.code == "unsupported_media_type")
  }

  @Test(arguments: [
    "{}", #"{"utm_source": "x", "page": "/"}"#, #"{"name": "  ", "email": ""}"#, "[]",
  ])
  func nothingUsableIsQuarantinedAsMissingFields(_ body: String) throws {
    let submission = try #require(processor.process(Self.json(body), for: instance).submission)
    let failure = try #require(submission.quarantineFailure)
    #expect(failure.status == 400)
    #expect(failure.code == "missing_fields")
    #expect(failure.message.contains("sender.email"))
    let partial = try #require(submission.quarantinePartial)
    #expect(partial.sender == Inquiry.Sender())
  }

  // MARK: Values that do not normalise

  @Test(arguments: ["12", "call me", "+7 916"])
  func invalidPhoneGoesToExtra(_ phone: String) throws {
    let inquiry = try inquiry(Self.json(#"{"name": "A", "phone": "\#(phone)"}"#))
    #expect(inquiry.sender.phone == nil)
    #expect(inquiry.extra == ["unparsed_phone": .string(phone)])
  }

  @Test(arguments: ["7707083894", "123", "ИНН неизвестен"])
  func invalidINNGoesToExtra(_ inn: String) throws {
    let inquiry = try inquiry(Self.json(#"{"name": "A", "inn": "\#(inn)"}"#))
    #expect(inquiry.company?.inn == nil)
    #expect(inquiry.extra == ["invalid_inn": .string(inn)])
  }

  @Test func invalidEmailGoesToExtra() throws {
    let inquiry = try inquiry(Self.json(#"{"name": "A", "email": "anna at mail.ru"}"#))
    #expect(inquiry.sender.email == nil)
    #expect(inquiry.extra == ["unparsed_email": "anna at mail.ru"])
  }

  @Test func onlyAnUnparsedPhoneIsStillAMissingField() throws {
    let submission = try #require(
      processor.process(Self.json(#"{"phone": "12"}"#), for: instance).submission)
    #expect(submission.quarantineFailure?.code == "missing_fields")
    #expect(submission.quarantinePartial?.extra == ["unparsed_phone": "12"])
  }

  // MARK: Transport metadata

  @Test func transportMetadataRedactsSecrets() throws {
    let request = HookRequest.post(
      "application/json; charset=utf-8", #"{"name":"A"}"#,
      query: [(name: "token", value: Self.token), (name: "utm_medium", value: "cpc")],
      headers: [
        (name: "Authorization", value: "Bearer \(Self.token)"),
        (name: "Cookie", value: "session=abc"),
        (name: "User-Agent", value: "Tilda/1.0"),
      ])
    let submission = try #require(processor.process(request, for: instance).submission)
    let transport = submission.transport
    #expect(transport.method == "POST")
    #expect(transport.path == "")
    #expect(transport.remoteAddress == "203.0.113.7")
    #expect(transport.contentType == "application/json; charset=utf-8")
    #expect(transport.query == ["token": "[redacted]", "utm_medium": "cpc"])
    #expect(transport.headers["authorization"] == "[redacted]")
    #expect(transport.headers["cookie"] == "[redacted]")
    #expect(transport.headers["user-agent"] == "Tilda/1.0")
    let encoded = String(decoding: try JSONEncoder().encode(transport), as: UTF8.self)
    #expect(!encoded.contains(Self.token))
  }
  @Test("a token scheme refuses before the body; a handshake or a body-reading scheme waits")
  func refusalBeforeBody() throws {
    let empty = Self.json("", headers: [(name: "Authorization", value: "Bearer nope")])
    #expect(processor.refusalBeforeBody(empty, for: instance) == "wrong token")
    #expect(processor.refusalBeforeBody(Self.json(""), for: instance) == nil)
    #expect(
      processor.refusalBeforeBody(
        Self.json("", headers: [], query: [(name: "token", value: Self.token)]), for: instance)
        == nil)
    // A handshake answered without authentication, matched by the URL alone: it is answered,
    // not refused; one that needs the body to tell: nothing is decided before it.
    let yaml = """
      name: acme
      auth: { scheme: bearer-or-url-token }
      body: { accept: [json] }
      handshakes:
        - name: ping
          match: { method: GET, query: { ping: "*" } }
          authenticate: false
          reply: { status: 200, text: pong }
      fields: { text: body }
      """
    let pinged = ChannelInstance(
      name: "acme", definition: try ChannelDefinitionLoader.parse(yaml: yaml, name: "acme"),
      secrets: ChannelSecrets(["token": "t"]))
    #expect(processor.refusalBeforeBody(.get([(name: "ping", value: "1")]), for: pinged) == nil)
    #expect(processor.refusalBeforeBody(.get([]), for: pinged) != nil)
    let bodyHandshake = yaml.replacingOccurrences(
      of: "{ method: GET, query: { ping: \"*\" } }", with: "{ fields: { type: ping } }")
    let echoed = ChannelInstance(
      name: "acme",
      definition: try ChannelDefinitionLoader.parse(yaml: bodyHandshake, name: "acme"),
      secrets: ChannelSecrets(["token": "t"]))
    #expect(processor.refusalBeforeBody(empty, for: echoed) == nil)
    // A signature over the body (VK's secret inside it): never decided before the body.
    let vk = ChannelInstance(
      name: "vk",
      definition: try ChannelDefinitionLoader.parse(
        yaml: String(
          contentsOf: Fixtures.channelsFolder.appendingPathComponent("vk.yaml"), encoding: .utf8),
        name: "vk"),
      secrets: ChannelSecrets(["secret": "k", "confirmation": "c"]))
    #expect(processor.refusalBeforeBody(empty, for: vk) == nil)
  }

}

@Suite("allow_from address ranges")
struct AddressRangeTests {
  @Test func ipv4AndNetworks() throws {
    let one = try #require(AddressRange("185.45.152.42"))
    #expect(one.contains("185.45.152.42"))
    #expect(one.contains("::ffff:185.45.152.42"))
    #expect(!one.contains("185.45.152.43"))
    let net = try #require(AddressRange("185.45.152.0/22"))
    #expect(net.contains("185.45.155.255"))
    #expect(!net.contains("185.45.156.0"))
    #expect(try #require(AddressRange("0.0.0.0/0")).contains("8.8.8.8"))
    #expect(!net.contains("::1"))
    #expect(!net.contains("not an address"))
  }

  @Test func ipv6() throws {
    let net = try #require(AddressRange("2a00:1450::/32"))
    #expect(net.contains("2a00:1450:4010::200e"))
    #expect(!net.contains("2a00:1451::1"))
    #expect(try #require(AddressRange("::1")).contains("::1"))
    #expect(!net.contains("185.45.152.42"))
  }

  @Test(arguments: ["", "1.2.3", "1.2.3.4/33", "1.2.3.4/", "::1/129", "1.2.3.4/8/8", "x/8"])
  func invalid(_ text: String) {
    #expect(AddressRange(text) == nil)
  }

}
