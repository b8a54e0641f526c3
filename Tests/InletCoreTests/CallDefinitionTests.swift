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
}
