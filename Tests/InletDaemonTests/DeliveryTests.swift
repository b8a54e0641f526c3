import Crypto
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// Push delivery from the real daemon to a real local HTTP receiver.
@Suite("Delivery", .serialized, .timeLimit(.minutes(3)))
struct DeliveryTests {
  static let secret = "delivery-secret-\(UUID().uuidString.prefix(8))"

  /// A daemon whose `delivery:` points at `receiver`.
  func daemon(
    for receiver: DeliveryReceiver, maxAttempts: Int = 30, timeout: String = "500ms"
  ) throws -> DaemonHarness {
    let daemon = try DaemonHarness(
      extraConfig: """
        delivery:
          url: \(receiver.url)
          secret_file: delivery-secret
          max_attempts: \(maxAttempts)
          timeout: \(timeout)
          backoff: 50ms
          max_backoff: 400ms
        """)
    try Self.secret.write(
      to: daemon.folder.appendingPathComponent("credentials/delivery-secret"), atomically: true,
      encoding: .utf8)
    return daemon
  }

  /// The deliveries the API lists with `status`.
  func deliveries(_ daemon: DaemonHarness, status: String? = nil) async throws -> [[String: Any]] {
    let query = status.map { "?status=\($0)&limit=500" } ?? "?limit=500"
    let reply = try await daemon.api(.GET, "/deliveries\(query)", token: daemon.readToken)
    guard reply.status == 200 else { throw HarnessError("deliveries: \(reply.body)") }
    return reply.json["items"] as? [[String: Any]] ?? []
  }

  /// Checks `t=…,v1=…` the way a receiver would, with its own HMAC.
  static func signatureIsValid(_ received: DeliveryReceiver.Received) -> Bool {
    signatureIsValid(received, secret: secret)
  }

  static func signatureIsValid(_ received: DeliveryReceiver.Received, secret: String) -> Bool {
    var fields: [String: String] = [:]
    for part in received.signature.split(separator: ",") {
      let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
      if pair.count == 2 { fields[pair[0]] = pair[1] }
    }
    guard let t = fields["t"], let v1 = fields["v1"], let time = Int(t),
      abs(Int(Date().timeIntervalSince1970) - time) < 300
    else { return false }
    let mac = HMAC<SHA256>.authenticationCode(
      for: Array("\(t).".utf8) + received.body, using: SymmetricKey(data: Array(secret.utf8)))
    return mac.map { String(format: "%02x", $0) }.joined() == v1
  }

  /// Per inquiry, event ids never go back in the order the receiver saw them.
  static func inOrderPerInquiry(_ received: [DeliveryReceiver.Received]) -> Bool {
    var last: [String: Int] = [:]
    for item in received {
      guard let inquiry = item.inquiryID, let event = item.eventID else { return false }
      if let previous = last[inquiry], event < previous { return false }
      last[inquiry] = event
    }
    return true
  }

  @Test("a receiver that fails, then times out, then recovers gets everything, signed, in order")
  func failTimeoutRecover() async throws {
    let receiver = try DeliveryReceiver { number in
      switch number {
      case 1...4: return .fail(503)
      case 5...6: return .hang(.milliseconds(1500))
      default: return .accept
      }
    }
    // Refusals must not turn deliveries into dead letters while the leads are being sent.
    let daemon = try daemon(for: receiver, maxAttempts: 10_000)
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      var ids: [String] = []
      for n in 0..<6 { ids.append(try await daemon.submitLead(n)) }
      #expect(
        try await daemon.api(
          .POST, "/inquiries/\(ids[0])/accept", json: #"{"action":"new_client"}"#
        )
        .status == 200)
      #expect(
        try await daemon.api(.POST, "/inquiries/\(ids[3])/reject", json: #"{"reason":"spam"}"#)
          .status == 200)
      #expect(
        try await daemon.api(.POST, "/inquiries/\(ids[4])/merge", json: #"{"into":"\#(ids[5])"}"#)
          .status == 200)
      // Six created, three decided, and the merge target's update (it shows what went in).
      let allDelivered = try await eventually {
        try await deliveries(daemon, status: "delivered").count == 10
      }
      let listed = try await deliveries(daemon)
      #expect(allDelivered, "\(listed)")

      let received = receiver.received
      #expect(listed.count == 10)
      for delivery in listed {
        let id = try #require(delivery["id"] as? String)
        #expect(
          received.contains { $0.deliveryID == id && $0.answered == 200 },
          "delivery \(id) reached the receiver")
      }
      #expect(received.contains { $0.answered == 503 })
      #expect(listed.contains { ($0["attempts"] as? Int ?? 0) > 1 }, "some needed retries")
      #expect(received.allSatisfy(Self.signatureIsValid), "every signature verifies")
      #expect(Self.inOrderPerInquiry(received))
      for item in received {
        #expect(item.event == item.json["event"] as? String)
        #expect(item.json["delivery_id"] as? String == item.deliveryID)
      }
      let updates = received.filter { $0.event == "inquiry.updated" && $0.answered == 200 }
      let statuses = Set(
        updates.compactMap { ($0.json["inquiry"] as? [String: Any])?["status"] as? String })
      #expect(statuses == ["accepted", "rejected", "merged", "new"])
      // The counter is incremented just after the delivery's commit: wait for it.
      var metrics = ""
      #expect(
        try await eventually(seconds: 10) {
          metrics = try await daemon.get("/metrics").1
          return metrics.contains(#"inlet_delivery_attempts_total{result="delivered"} 10"#)
        }, "\(metrics)")
      #expect(metrics.contains(#"inlet_delivery_attempts_total{result="failed"}"#))
    }
  }

  @Test("a secret rotated while running signs the pushes after a reload")
  func rotatedSecret() async throws {
    let receiver = try DeliveryReceiver { _ in .accept }
    // A generous timeout: on a loaded machine a slow answer must not be retried meanwhile.
    let daemon = try daemon(for: receiver, timeout: "10s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      _ = try await daemon.submitLead(1)
      #expect(try await eventually(seconds: 60) { !receiver.received.isEmpty })
      #expect(receiver.received.allSatisfy(Self.signatureIsValid))
      let before = receiver.received.count

      let rotated = "rotated-\(UUID().uuidString.prefix(8))"
      try rotated.write(
        to: daemon.folder.appendingPathComponent("credentials/delivery-secret"), atomically: true,
        encoding: .utf8)
      kill(try #require(daemon.process?.processIdentifier), SIGHUP)
      #expect(try await eventually { daemon.log().contains("configuration reloaded") })
      _ = try await daemon.submitLead(2)
      #expect(try await eventually(seconds: 60) { receiver.received.count > before })
      let last = try #require(receiver.received.last)
      #expect(Self.signatureIsValid(last, secret: rotated), "signed with the new secret")
      #expect(!Self.signatureIsValid(last, secret: Self.secret))
    }
  }

  @Test("credentials in delivery.url are sent as Basic authorization, not dropped")
  func basicAuthorization() async throws {
    let receiver = try DeliveryReceiver { _ in .accept }
    let daemon = try DaemonHarness(
      extraConfig: """
        delivery:
          url: \(receiver.url.replacingOccurrences(of: "http://", with: "http://crm%40user:p%3Ass@"))
          max_attempts: 3
          timeout: 10s
          backoff: 50ms
          max_backoff: 400ms
        """)
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      _ = try await daemon.submitLead(1)
      #expect(try await eventually(seconds: 60) { !receiver.received.isEmpty })
      let expected = "Basic " + Data("crm@user:p:ss".utf8).base64EncodedString()
      #expect(receiver.received.first?.headers["authorization"] == expected)
      #expect(!daemon.log().contains("p%3Ass"), "the password is not logged")
    }
  }

  /// The password kept out of the config file (which every local user may read): the URL
  /// names the user, `delivery.password_file` holds the password.
  @Test func basicPasswordFile() async throws {
    let receiver = try DeliveryReceiver { _ in .accept }
    let daemon = try DaemonHarness(
      extraConfig: """
        delivery:
          url: \(receiver.url.replacingOccurrences(of: "http://", with: "http://crm%40user@"))
          password_file: crm-password
          max_attempts: 3
          backoff: 50ms
          max_backoff: 400ms
        """)
    defer { daemon.remove() }
    try "p:ss@w/rd\n".write(
      toFile: daemon.folder.appendingPathComponent("credentials/crm-password").path,
      atomically: true, encoding: .utf8)
    let checked = try daemon.cli(["check-config"])
    #expect(checked.status == 0, "\(checked.output)\(checked.error)")
    #expect(!checked.error.contains("delivery.url holds a password"))
    try await receiver.serving {
      try await daemon.start()
      _ = try await daemon.submitLead(1)
      #expect(try await eventually(seconds: 60) { !receiver.received.isEmpty })
      let expected = "Basic " + Data("crm@user:p:ss@w/rd".utf8).base64EncodedString()
      #expect(receiver.received.first?.headers["authorization"] == expected)
      #expect(!daemon.log().contains("w/rd"), "the password is not logged")
    }
  }

  @Test("a receiver that answers 200 and then stalls in the body fails the attempt, not the queue")
  func stalledBody() async throws {
    let receiver = try DeliveryReceiver { number in
      number == 1 ? .stallBody(.seconds(120)) : .accept
    }
    let daemon = try daemon(for: receiver)
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      let first = try await daemon.submitLead(0)
      #expect(try await eventually(seconds: 10) { !receiver.received.isEmpty })
      let second = try await daemon.submitLead(1)
      // Both arrive within seconds: the stalled attempt ended at the 500 ms read timeout
      // and was retried (before, it held every delivery for as long as the body stalled).
      let delivered = try await eventually(seconds: 15) {
        try await deliveries(daemon, status: "delivered").count == 2
      }
      let listed = try await deliveries(daemon)
      #expect(delivered, "\(listed)")
      let firstDelivery = listed.first { ($0["inquiry_id"] as? String) == first }
      #expect((firstDelivery?["attempts"] as? Int ?? 0) >= 2, "\(listed)")
      #expect(listed.contains { ($0["inquiry_id"] as? String) == second })
    }
  }

  @Test("a CRM slow to answer one push holds back only that inquiry; the others go out meanwhile")
  func slowAnswerHoldsOnlyItsInquiry() async throws {
    // The first push is answered only after 25 s (within the 60 s timeout); the rest at once.
    let receiver = try DeliveryReceiver { number in
      number == 1 ? .hang(.seconds(25)) : .accept
    }
    let daemon = try daemon(for: receiver, timeout: "60s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      let slow = try await daemon.submitLead(0)
      #expect(try await eventually(seconds: 10) { receiver.received.count == 1 })
      let other = try await daemon.submitLead(1)
      #expect(
        try await daemon.api(
          .POST, "/inquiries/\(other)/accept", json: #"{"action":"new_client"}"#
        ).status == 200)
      // The other inquiry's creation and its acceptance are both delivered while the first
      // push still waits for its answer (they waited for it before: batches went in lockstep).
      let othersDelivered = try await eventually(seconds: 15) {
        try await deliveries(daemon, status: "delivered").count == 2
      }
      let listed = try await deliveries(daemon)
      #expect(othersDelivered, "\(listed)")
      let delivered = listed.filter { ($0["status"] as? String) == "delivered" }
      #expect(delivered.allSatisfy { ($0["inquiry_id"] as? String) == other }, "\(listed)")
      let waiting = listed.filter { ($0["inquiry_id"] as? String) == slow }
      #expect(waiting.count == 1 && (waiting.first?["status"] as? String) == "pending")
      // The slow push was sent once and not again while in flight.
      #expect(receiver.received.filter { $0.inquiryID == slow }.count == 1)
    }
  }

  @Test("a dead delivery the CRM refuses for good can be discarded; the later changes go out")
  func discardDead() async throws {
    // The CRM refuses the first push for good (413: over its body limit), takes the rest.
    let receiver = try DeliveryReceiver { number in number <= 1 ? .fail(413) : .accept }
    let daemon = try daemon(for: receiver, maxAttempts: 5, timeout: "10s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      let id = try await daemon.submitLead(1)
      #expect(try await eventually { try await deliveries(daemon, status: "dead").count == 1 })
      let dead = try #require(try await deliveries(daemon, status: "dead").first)
      // Dead at the first 413: the same bytes would be refused again (failed before: retried
      // up to max_attempts, hours of it).
      #expect(dead["attempts"] as? Int == 1, "\(dead)")
      #expect(receiver.received.count == 1)
      let deadID = try #require(dead["id"] as? String)
      #expect(
        try await daemon.api(.POST, "/inquiries/\(id)/accept", json: #"{"action":"new_client"}"#)
          .status == 200)
      // A read token may not discard; unknown is 404.
      #expect(
        try await daemon.api(.POST, "/deliveries/\(deadID)/discard", token: daemon.readToken)
          .status == 403)
      #expect(try await daemon.api(.POST, "/deliveries/999/discard").status == 404)

      let discarded = try await daemon.api(.POST, "/deliveries/\(deadID)/discard")
      #expect(discarded.status == 200, "\(discarded.body)")
      #expect(discarded.json["status"] as? String == "discarded")
      #expect(discarded.headers.first(name: "Inlet-Transition") == "applied")
      // The acceptance that waited behind it reaches the CRM.
      #expect(
        try await eventually { try await deliveries(daemon, status: "delivered").count == 1 })
      let last = try #require(receiver.received.last)
      #expect(last.answered == 200)
      #expect(last.event == "inquiry.updated")
      #expect(try await deliveries(daemon, status: "discarded").count == 1)
      // The client's retry of its discard (the answer was lost): 200, as it is, `repeated`
      // (failed before: 409, as if it had not worked). A retry of a discarded one is 409.
      let repeated = try await daemon.api(.POST, "/deliveries/\(deadID)/discard")
      #expect(repeated.status == 200, "\(repeated.body)")
      #expect(repeated.json["status"] as? String == "discarded")
      #expect(repeated.headers.first(name: "Inlet-Transition") == "repeated")
      let retryDiscarded = try await daemon.api(.POST, "/deliveries/\(deadID)/retry")
      #expect(retryDiscarded.status == 409)
      #expect(retryDiscarded.errorCode == "invalid_transition")
      // A delivered one is not discarded.
      let delivered = try #require(
        try await deliveries(daemon, status: "delivered").first?["id"] as? String)
      #expect(try await daemon.api(.POST, "/deliveries/\(delivered)/discard").status == 409)
    }
  }

  @Test("after max_attempts a delivery is dead, listed, blocks later changes, and can be retried")
  func deadLetters() async throws {
    let open = Atomic<Bool>(false)
    let receiver = try DeliveryReceiver { _ in
      open.load(ordering: .relaxed) ? .accept : .fail(500)
    }
    // Two attempts only: a generous timeout, so that on a loaded machine a slow answer to the
    // retried delivery is not taken for a failure and the letter does not die a second time.
    let daemon = try daemon(for: receiver, maxAttempts: 2, timeout: "10s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      let id = try await daemon.submitLead(1)
      #expect(try await eventually { try await deliveries(daemon, status: "dead").count == 1 })
      let dead = try #require(try await deliveries(daemon, status: "dead").first)
      let deadID = try #require(dead["id"] as? String)
      #expect(dead["attempts"] as? Int == 2)
      #expect(dead["last_error"] as? String == "HTTP 500")
      #expect(receiver.received.count == 2)

      // A later change of the same inquiry waits behind the dead one.
      #expect(
        try await daemon.api(.POST, "/inquiries/\(id)/accept", json: #"{"action":"new_client"}"#)
          .status == 200)
      try await Task.sleep(for: .milliseconds(800))
      #expect(receiver.received.count == 2)
      let waiting = try await deliveries(daemon, status: "pending")
      #expect(waiting.count == 1)
      #expect(waiting.first?["waiting_for"] as? String == deadID, "says what it waits for")
      var metrics = ""
      #expect(
        try await eventually(seconds: 10) {
          metrics = try await daemon.get("/metrics").1
          return metrics.contains("inlet_deliveries_dead_total 1")
        }, "\(metrics)")

      // Retry: read token is 403, unknown is 404, the dead one goes back to pending.
      #expect(
        try await daemon.api(.POST, "/deliveries/\(deadID)/retry", token: daemon.readToken).status
          == 403)
      #expect(try await daemon.api(.POST, "/deliveries/999/retry").status == 404)
      open.store(true, ordering: .relaxed)
      let retried = try await daemon.api(.POST, "/deliveries/\(deadID)/retry")
      #expect(retried.status == 200, "\(retried.body)")
      #expect(retried.json["status"] as? String == "pending")
      #expect(try await eventually { try await deliveries(daemon, status: "delivered").count == 2 })
      #expect(retried.headers.first(name: "Inlet-Transition") == "applied")
      // The client's retry of its retry (the answer was lost): 200, as it is now, `repeated`.
      let again = try await daemon.api(.POST, "/deliveries/\(deadID)/retry")
      #expect(again.status == 200, "\(again.body)")
      #expect(again.json["status"] as? String == "delivered")
      #expect(again.headers.first(name: "Inlet-Transition") == "repeated")
      // At least once: on a loaded machine an answer can come after the 500 ms timeout and
      // the same delivery is sent again; what matters is each change, in order.
      let accepted = receiver.received.filter { $0.answered == 200 }.map(\.event)
      let changes = accepted.enumerated().filter {
        $0.offset == 0 || accepted[$0.offset - 1] != $0.element
      }
      .map(\.element)
      #expect(changes == ["inquiry.created", "inquiry.updated"], "\(accepted)")
      #expect(Self.inOrderPerInquiry(receiver.received))
      let bad = try await daemon.api(.GET, "/deliveries?status=lost", token: daemon.readToken)
      #expect(bad.status == 400)
    }
  }

  @Test("429 and 503 with Retry-After: sent again when asked, not counted among max_attempts")
  func retryAfter() async throws {
    let receiver = try DeliveryReceiver { number in
      let soon = Date().addingTimeInterval(2)
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "GMT")
      formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
      switch number {
      case 1, 2: return .failRetryAfter(503, "1")
      case 3: return .failRetryAfter(429, formatter.string(from: soon))
      default: return .accept
      }
    }
    // Two attempts would make it dead after the second 503, were those counted; the 50 ms
    // backoff would send it again at once, were the header ignored.
    let daemon = try daemon(for: receiver, maxAttempts: 2, timeout: "10s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      _ = try await daemon.submitLead(1)
      #expect(
        try await eventually(seconds: 30) {
          try await deliveries(daemon, status: "delivered").count == 1
        })
      #expect(try await deliveries(daemon, status: "dead").isEmpty)
      let received = receiver.received
      #expect(received.map(\.answered) == [503, 503, 429, 200])
      let gaps = zip(received.dropFirst(), received).map { $0.at.timeIntervalSince($1.at) }
      try #require(gaps.count == 3)
      #expect(gaps[0] >= 0.9 && gaps[1] >= 0.9, "waited as asked: \(gaps)")
      // An HTTP date two seconds ahead, of whole seconds: at least a second.
      #expect(gaps[2] >= 0.9, "waited until the date: \(gaps)")
      let delivered = try #require(try await deliveries(daemon, status: "delivered").first)
      #expect(delivered["attempts"] as? Int == 1, "only the successful attempt counted")
    }
  }

  @Test("after an outage longer than the retries, one bulk retry revives every dead delivery")
  func bulkRetryAfterOutage() async throws {
    let open = Atomic<Bool>(false)
    let receiver = try DeliveryReceiver { _ in
      open.load(ordering: .relaxed) ? .accept : .fail(503)
    }
    // As in `deadLetters`: two attempts, and a timeout a loaded machine does not run into.
    let daemon = try daemon(for: receiver, maxAttempts: 2, timeout: "10s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      var ids: [String] = []
      for n in 0..<3 { ids.append(try await daemon.submitLead(n)) }
      var dead: [[String: Any]] = []
      #expect(
        try await eventually {
          dead = try await deliveries(daemon, status: "dead")
          return dead.count == 3
        }, "\(dead)")
      // Later changes of two of them wait behind their dead deliveries.
      #expect(
        try await daemon.api(
          .POST, "/inquiries/\(ids[0])/accept", json: #"{"action":"new_client"}"#
        ).status == 200)
      #expect(
        try await daemon.api(.POST, "/inquiries/\(ids[2])/reject", json: #"{"reason":"spam"}"#)
          .status == 200)
      #expect(try await deliveries(daemon, status: "pending").count == 2)
      // The backlog shows where an administrator looks, whatever the daemon's counters forgot.
      let metrics = try await daemon.get("/metrics").1
      #expect(metrics.contains(#"inlet_deliveries{status="dead"} 3"#), "\(metrics)")
      #expect(metrics.contains(#"inlet_deliveries{status="pending"} 2"#), "\(metrics)")
      let status = try daemon.cli(["status"])
      #expect(status.output.contains("deliveries: 2 pending, 3 dead"), "\(status.output)")
      let json = try daemon.cli(["status", "--json"])
      let report = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
      #expect(
        report?["deliveries"] as? [String: Int] == ["pending": 2, "dead": 3], "\(json.output)")

      // The CRM is back. A read token may not revive; the read-write one revives all at once.
      open.store(true, ordering: .relaxed)
      let forbidden = try await daemon.api(.POST, "/deliveries/retry", token: daemon.readToken)
      #expect(forbidden.status == 403)
      #expect(forbidden.errorCode == "insufficient_scope")
      let revived = try await daemon.api(.POST, "/deliveries/retry")
      #expect(revived.status == 200, "\(revived.body)")
      #expect(revived.json["revived"] as? Int == 3, "\(revived.body)")
      var delivered: [[String: Any]] = []
      #expect(
        try await eventually(seconds: 20) {
          delivered = try await deliveries(daemon, status: "delivered")
          return delivered.count == 5
        }, "\(delivered)")
      #expect(try await deliveries(daemon, status: "dead").isEmpty)
      #expect(try await deliveries(daemon, status: "pending").isEmpty)

      // Every change arrived, each inquiry's in order (at least once: a repeat is the same
      // change again, not a reordering).
      let received = receiver.received.filter { $0.answered == 200 }
      for (index, id) in ids.enumerated() {
        let events = received.filter { $0.inquiryID == id }.map(\.event)
        let changes = events.enumerated().filter {
          $0.offset == 0 || events[$0.offset - 1] != $0.element
        }
        .map(\.element)
        let expected =
          index == 1 ? ["inquiry.created"] : ["inquiry.created", "inquiry.updated"]
        #expect(changes == expected, "inquiry \(id): \(events)")
      }
      #expect(Self.inOrderPerInquiry(receiver.received))
      #expect(received.allSatisfy(Self.signatureIsValid))

      // Nothing dead any more: the next bulk retry revives none.
      let none = try await daemon.api(.POST, "/deliveries/retry")
      #expect(none.status == 200)
      #expect(none.json["revived"] as? Int == 0, "\(none.body)")
    }
  }

  @Test("delivery switched off for a while: back on, each inquiry changed meanwhile is pushed")
  func switchedOffAndOn() async throws {
    let receiver = try DeliveryReceiver { _ in .accept }
    // A generous timeout: on a loaded machine a 500 ms one times out accepted pushes and sends
    // them again (at least once), which is not what this test is about.
    let daemon = try daemon(for: receiver, timeout: "10s")
    // Each change is one delivery; a repeat of it carries the same delivery ID.
    let changes: @Sendable () -> Int = { Set(receiver.received.map(\.deliveryID)).count }
    defer { daemon.remove() }
    let withDelivery = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    let start = try #require(withDelivery.range(of: "delivery:\n"))
    var end = start.upperBound
    // The section is the indented lines after its key.
    while end < withDelivery.endIndex, withDelivery[end...].hasPrefix("  ") {
      end =
        withDelivery[end...].firstIndex(of: "\n").map(withDelivery.index(after:))
        ?? withDelivery.endIndex
    }
    let withoutDelivery = withDelivery.replacingCharacters(in: start.lowerBound..<end, with: "")
    try await receiver.serving {
      try await daemon.start()
      let first = try await daemon.submitLead(1)
      #expect(try await eventually(seconds: 20) { changes() == 1 })
      #expect(daemon.stop() == 0)

      // The CRM's endpoint is switched off for a while; leads and decisions go on.
      try withoutDelivery.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
      try await daemon.start()
      let second = try await daemon.submitLead(2)
      let rejected = try await daemon.api(
        .POST, "/inquiries/\(first)/reject", json: #"{"reason":"spam"}"#)
      #expect(rejected.status == 200, "\(rejected.body)")
      #expect(daemon.stop() == 0)
      #expect(changes() == 1)
      let before = receiver.received.count

      try withDelivery.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
      try await daemon.start()
      #expect(try await eventually(seconds: 20) { changes() == 3 })
      let caughtUp = receiver.received.dropFirst(before)
      // (Different inquiries' pushes go out side by side, in either order.)
      #expect(Set(caughtUp.compactMap(\.inquiryID)) == [second, first])
      let firstNow = try #require(
        caughtUp.first { $0.inquiryID == first }?.json["inquiry"] as? [String: Any])
      #expect(firstNow["status"] as? String == "rejected")
      #expect(daemon.log().contains("push delivery is on again"))
      // Nothing more comes: once each.
      try await Task.sleep(for: .milliseconds(500))
      #expect(changes() == 3)
    }
  }

  @Test("a stop that cuts off a delivery counts no attempt: it is sent again after the restart")
  func stopDuringDelivery() async throws {
    // The CRM holds the first request past the daemon's 20 s bound on stopping.
    let receiver = try DeliveryReceiver { number in number == 1 ? .hang(.seconds(60)) : .accept }
    let daemon = try daemon(for: receiver, maxAttempts: 1, timeout: "60s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      let id = try await daemon.submitLead(1)
      #expect(try await eventually(seconds: 20) { receiver.received.count == 1 })
      daemon.stop()
      try await daemon.start()
      #expect(
        try await eventually(seconds: 20) {
          try await deliveries(daemon, status: "delivered").count == 1
        })
      #expect(try await deliveries(daemon, status: "dead").isEmpty)
      #expect(receiver.received.last?.inquiryID == id)
    }
  }

  @Test("kill -9 while delivering loses nothing: after a restart every change arrives")
  func killDuringDelivery() async throws {
    // The receiver refuses until every lead is in (however slow the machine), then takes each
    // delivery slowly, so the kill lands while deliveries are going out; fast after the restart.
    let mode = Atomic<Int>(0)
    let receiver = try DeliveryReceiver { _ in
      switch mode.load(ordering: .relaxed) {
      case 0: return .fail(503)
      case 1: return .hang(.seconds(2))
      default: return .accept
      }
    }
    // Refusals must not turn deliveries into dead letters while the leads are being sent. Each
    // answer takes 2 s: 60 deliveries, a few at a time, take long enough that a test woken
    // late by a busy machine still kills the daemon in the middle of them.
    let daemon = try daemon(for: receiver, maxAttempts: 10_000, timeout: "10s")
    defer { daemon.remove() }
    try await receiver.serving {
      try await daemon.start()
      var ids: [String] = []
      for n in 0..<60 { ids.append(try await daemon.submitLead(n)) }
      mode.store(1, ordering: .relaxed)
      #expect(
        try await eventually(seconds: 20) {
          receiver.received.filter { $0.answered == 200 }.count >= 5
        })
      daemon.kill9()
      let before = Set(receiver.received.filter { $0.answered == 200 }.compactMap(\.inquiryID))
      #expect(before.count < 60, "the kill happened mid-delivery")
      mode.store(2, ordering: .relaxed)
      try await daemon.start()
      #expect(
        try await eventually(seconds: 60) {
          try await deliveries(daemon, status: "delivered").count == 60
        })
      let received = receiver.received
      let deliveredInquiries = Set(received.filter { $0.answered == 200 }.compactMap(\.inquiryID))
      #expect(deliveredInquiries == Set(ids), "every inquiry reached the CRM")
      let deliveryIDs = Set(received.map(\.deliveryID))
      let listed = Set(try await deliveries(daemon).compactMap { $0["id"] as? String })
      #expect(listed.isSubset(of: deliveryIDs))
      #expect(received.allSatisfy(Self.signatureIsValid))
    }
  }
}
