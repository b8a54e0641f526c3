import Foundation
import Testing

@testable import InletCore

/// A PBX that is not built in, added as a file in a temporary folder: a built-in scheme, the
/// `call` action, value maps and a computed duration — no Swift change.
@Suite("A new telephony provider from a file")
struct CallDefinitionTests {
  static let definition = """
    name: tiny-pbx
    auth: { scheme: path-or-url-token }
    body: { accept: [json] }
    idempotency: { template: "{{field.id}}:{{field.state}}" }
    events:
      - name: call
        action: call
        fields:
          source.call_id: id
          sender.phone: caller
          call.direction: { paths: [dir], map: { IN: in, OUT: out } }
          call.state: { paths: [state], map: { ring: ringing, up: answered, down: ended } }
          call.answered: { paths: [answered_at], map: { "*": "true" } }
          call.duration_s: { difference: [ended_at, answered_at] }
    """

  static func instance() throws -> ChannelInstance {
    try Fixtures.withTemporaryFolder { folder in
      try Fixtures.write(definition, to: "tiny-pbx.yaml", in: folder)
      let definitions = try ChannelDefinitionLoader.loadDirectory(folder)
      let definition = try #require(definitions["tiny-pbx"])
      return ChannelInstance(
        name: "tiny", definition: definition, secrets: ChannelSecrets(["token": "t0k"]))
    }
  }

  @Test("events become call events with state, direction, duration and a call id")
  func callEvents() throws {
    let instance = try Self.instance()
    let processor = HookProcessor()
    var request = HookRequest.post(
      "application/json",
      #"{"id":"c-9","state":"down","dir":"IN","caller":"8 916 123-45-67","answered_at":100,"ended_at":160}"#
    )
    request.subpath = "/t0k"
    let submission = try #require(processor.process(request, for: instance).submission)
    guard case .call(let event, let draft) = submission.disposition else {
      Issue.record("expected a call disposition, got \(submission.disposition)")
      return
    }
    #expect(event.callID == "c-9")
    #expect(event.state == .ended)
    #expect(event.answered == true)
    #expect(event.direction == "in")
    #expect(event.durationS == 60)
    #expect(event.callerPhone == "+79161234567")
    #expect(draft.kind == .call)
    #expect(submission.idempotencyKey == "tiny:c-9:down")

    var wrong = request
    wrong.subpath = "/nope"
    #expect(processor.process(wrong, for: instance).unauthenticatedReason != nil)
    var noID = HookRequest.post("application/json", #"{"state":"ring"}"#)
    noID.subpath = "/t0k"
    let quarantined = try #require(processor.process(noID, for: instance).submission)
    #expect(quarantined.quarantineFailure?.code == "missing_fields")
  }

  @Test("a ringing event without an answer says nothing about the conversation")
  func ringing() throws {
    var request = HookRequest.post("application/json", #"{"id":"c-1","state":"ring","dir":"OUT"}"#)
    request.subpath = "/t0k"
    let submission = try #require(
      HookProcessor().process(request, for: try Self.instance()).submission)
    guard case .call(let event, _) = submission.disposition else {
      Issue.record("expected a call disposition")
      return
    }
    #expect(event.state == .ringing)
    #expect(event.answered == nil)
    #expect(event.direction == "out")
    #expect(event.durationS == nil)
  }

  @Test("a subscription's templates read secrets, options and the hook URL; nothing else")
  func subscriptionValidation() throws {
    func load(_ subscription: String) throws -> ChannelDefinition {
      try Fixtures.withTemporaryFolder { folder in
        try Fixtures.write(Self.definition + "\n" + subscription, to: "tiny-pbx.yaml", in: folder)
        return try #require(try ChannelDefinitionLoader.loadDirectory(folder)["tiny-pbx"])
      }
    }
    let good = try load(
      """
      subscription:
        url: "https://pbx.example/subscribe?key={{secret.api_key}}"
        json: { url: "{{hook.url}}", kind: "{{option.kind}}" }
        every: 6h
      """)
    #expect(good.subscription?.every == 21_600)
    #expect(good.subscription?.method == "PUT")
    #expect(good.subscription?.needsPublicURL == true)
    #expect(good.templateSecrets.contains("api_key"))
    #expect(throws: DefinitionError.self) {
      try load("subscription:\n  url: \"{{field.x}}\"")
    }
    #expect(throws: DefinitionError.self) {
      try load("subscription:\n  url: \"https://pbx.example\"\n  every: 30s")
    }
    #expect(throws: DefinitionError.self) {
      try load("subscription:\n  url: \"https://pbx.example\"\n  method: GET")
    }
  }

  @Test(
    "MegaFon's history: the talk time is the total minus the wait",
    arguments: [("75", "15", 60), ("40", "0", 40), ("12", "12", 0), ("30", nil, 30)])
  func megafonTalkTime(total: String, wait: String?, talk: Int) throws {
    let url = Fixtures.channelsFolder.appendingPathComponent("megafon.yaml")
    let definition = try ChannelDefinitionLoader.parse(
      yaml: try String(contentsOf: url, encoding: .utf8), name: "megafon", file: url.path)
    let instance = ChannelInstance(
      name: "megafon", definition: definition, secrets: ChannelSecrets(["token": "k"]))
    var pairs = [
      ("cmd", "history"), ("type", "in"), ("status", talk > 0 ? "Success" : "Missed"),
      ("callid", "m1"), ("phone", "79161234567"), ("duration", total), ("crm_token", "k"),
    ]
    if let wait { pairs.append(("wait", wait)) }
    let body = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    let request = HookRequest.post("application/x-www-form-urlencoded", body)
    let submission = try #require(HookProcessor().process(request, for: instance).submission)
    guard case .call(let event, _) = submission.disposition else {
      Issue.record("expected a call disposition, got \(submission.disposition)")
      return
    }
    #expect(event.durationS == talk)
    #expect(event.answered == (talk > 0))
  }

  @Test(
    "numbers no integer holds are not a duration or a sequence number (they stopped the process)",
    arguments: [
      (#""answered_at":1,"ended_at":1e300"#, "1e+300"),
      (#""answered_at":1,"ended_at":1e19,"seq":1e19"#, "1e+19"),
      (#""duration":"nan","seq":"-inf""#, "nan"),
      (#""duration":"1e19","seq":"nan""#, "1e19"),
    ])
  func absurdNumbers(fields: String, shown: String) throws {
    let definition = Self.definition.replacingOccurrences(
      of: "          call.duration_s: { difference: [ended_at, answered_at] }",
      with: """
                  call.duration_s: { paths: [duration], difference: [ended_at, answered_at] }
                  call.seq: seq
        """)
    let instance = try Fixtures.withTemporaryFolder { folder in
      try Fixtures.write(definition, to: "tiny-pbx.yaml", in: folder)
      let loaded = try #require(try ChannelDefinitionLoader.loadDirectory(folder)["tiny-pbx"])
      return ChannelInstance(
        name: "tiny", definition: loaded, secrets: ChannelSecrets(["token": "t0k"]))
    }
    var request = HookRequest.post(
      "application/json", #"{"id":"c-2","state":"down","# + fields + "}")
    request.subpath = "/t0k"
    let submission = try #require(HookProcessor().process(request, for: instance).submission)
    guard case .call(let event, _) = submission.disposition else {
      Issue.record("expected a call disposition, got \(submission.disposition)")
      return
    }
    #expect(event.durationS == nil, "\(shown)")
    #expect(event.seq == nil)
    #expect(event.state == .ended)
  }

  @Test("Twilio: a call from the company's SIP phone is outgoing, to the number it dials")
  func twilioSIPPhone() throws {
    let url = Fixtures.channelsFolder.appendingPathComponent("twilio.yaml")
    let definition = try ChannelDefinitionLoader.parse(
      yaml: try String(contentsOf: url, encoding: .utf8), name: "twilio", file: url.path)
    let instance = ChannelInstance(
      name: "twilio", definition: definition, secrets: ChannelSecrets(["auth_token": "tw"]))
    func event(_ pairs: [(String, String)]) throws -> CallEvent {
      let publicURL = "https://crm.example.ru/hooks/twilio"
      let body = pairs.map { FormURLEncoding.encode($0.0) + "=" + FormURLEncoding.encode($0.1) }
        .joined(separator: "&")
      var request = HookRequest.post(
        "application/x-www-form-urlencoded", body,
        headers: [
          (
            name: "X-Twilio-Signature",
            value: TwilioSignatureScheme.signature(url: publicURL, parameters: pairs, token: "tw")
          )
        ])
      request.publicURL = publicURL
      let submission = try #require(HookProcessor().process(request, for: instance).submission)
      guard case .call(let event, _) = submission.disposition else {
        throw CallDefinitionError.notACall("\(submission.disposition)")
      }
      return event
    }
    for (from, to, customer) in [
      ("sip:anna@acme.sip.twilio.com", "sip:+79161234567@acme.sip.twilio.com", "+79161234567"),
      ("sip:anna@acme.sip.us1.twilio.com;transport=tls", "+79161234567", "+79161234567"),
      ("SIPS:Anna@ACME.sip.twilio.com", "+79031112233", "+79031112233"),
    ] {
      let base = [
        ("AccountSid", "AC1"), ("CallSid", "CA1"), ("From", from), ("To", to),
        ("Direction", "inbound"),
      ]
      for more in [[("CallStatus", "completed")], [("DialCallStatus", "no-answer")]] {
        let call = try event(base + more)
        #expect(call.direction == "out", "\(from) \(more)")
        #expect(call.callerPhone == customer, "\(from) \(more)")
        #expect(call.employee == from, "\(from) \(more)")
      }
    }
    // A caller whose own SIP address is elsewhere (a partner's PBX) is a customer calling in.
    let partner = try event([
      ("AccountSid", "AC1"), ("CallSid", "CA2"), ("From", "sip:+79161234567@pbx.partner.ru"),
      ("To", "+74951234567"), ("Direction", "inbound"), ("CallStatus", "ringing"),
    ])
    #expect(partner.direction == "in")
    #expect(partner.callerPhone == "+79161234567")
  }

  @Test("a `*` in a match stands for any run of characters")
  func matchPatterns() {
    typealias Expected = MatchSpec.Expected
    let sip = Expected.oneOf(["sip:*@*.sip.*twilio.com*"])
    #expect(sip.accepts("sip:anna@acme.sip.twilio.com"))
    #expect(sip.accepts("SIP:anna@acme.sip.us1.twilio.com;transport=udp"))
    #expect(!sip.accepts("sip:anna@pbx.example.ru"))
    #expect(!sip.accepts("client:anna"))
    #expect(!sip.accepts("tel:acme.sip.twilio.com"))
    #expect(Expected.oneOf(["client:*"]).accepts("client:anna"))
    #expect(!Expected.oneOf(["client:*"]).accepts("sip:client:anna"))
    #expect(Expected.oneOf(["*.pdf"]).accepts("ТЗ.PDF"))
    #expect(!Expected.oneOf(["*.pdf"]).accepts("pdf"))
    #expect(Expected.oneOf(["a*b*c"]).accepts("abc"))
    #expect(Expected.oneOf(["a*b*c"]).accepts("a-b-b-c"))
    #expect(!Expected.oneOf(["a*b*c"]).accepts("a-c-b"))
    #expect(!Expected.oneOf(["ab*ba"]).accepts("aba"), "prefix and suffix do not overlap")
    #expect(Expected.oneOf(["in"]).accepts("IN"))
    #expect(!Expected.oneOf(["in"]).accepts("inbound"))
    // A `#` is one digit: an 11-digit number, not an extension or a longer number.
    let number = Expected.oneOf(["8##########", "+*"])
    #expect(number.accepts("84951234567"))
    #expect(number.accepts("+375291234567"))
    #expect(!number.accepts("8495123456"))
    #expect(!number.accepts("849512345678"))
    #expect(!number.accepts("8495*123456"))
    #expect(!number.accepts("3515*104"))
    #expect(Expected.oneOf(["*#"]).accepts("ext 7"))
    #expect(!Expected.oneOf(["*#"]).accepts("ext"))
    #expect(Expected.oneOf(["*a*a"]).accepts("aaa"), "a later star takes over")
  }

  @Test func wholeNumbers() {
    let cases: [(String, Int64?)] = [
      ("42", 42), ("42.0", 42), ("4.2e1", 42), ("60.9", 60), ("-3", -3), ("-3.7", -3),
      ("9223372036854775807", .max), ("-9223372036854775808", .min),
      ("1e18", 1_000_000_000_000_000_000),
      ("9.3e18", nil), ("1e19", nil), ("1e300", nil), ("-1e300", nil), ("nan", nil), ("inf", nil),
      ("-infinity", nil), ("", nil), ("abc", nil), ("12abc", nil),
    ]
    for (text, expected) in cases { #expect(WholeNumber.parse(text) == expected, "\(text)") }
    #expect(ChannelOptions.integer(.string("1e300")) == nil)
    #expect(ChannelOptions.integer(.string("64")) == 64)
    #expect(ChannelOptions.duration(.string("nan")) == nil)
    #expect(ChannelOptions.duration(.string("1e300d")) == nil)
    #expect(ChannelOptions.duration(.string("30m")) == 1800)
  }
}

enum CallDefinitionError: Error {
  case notACall(String)
}
