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
