import Foundation
import InletHTTP
import Testing

/// When refused requests make a channel `failing`, and what clears it.
@Suite struct HealthRegistryTests {
  func status(_ health: HealthRegistry) -> String? { health.snapshot.first?.status }

  @Test("refusals fail a channel only in a row, within a day; a request taken or a reload clears")
  func refusals() {
    let health = HealthRegistry()
    health.register(channel: "mango", definition: "mango-office")
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    // Four refusals over days, then one: no five within a day.
    for day in 0..<4 {
      health.recordAuthFailure(
        channel: "mango", reason: "wrong sign", at: start + Double(day) * 2 * 86_400)
    }
    health.recordAuthFailure(channel: "mango", reason: "wrong sign", at: start + 8 * 86_400)
    #expect(status(health) == "ok")
    // Five within the day: failing, the reason shown cut and without control characters.
    let noisy = "event \u{1B}[31m" + String(repeating: "x", count: 500)
    for minute in 1...4 {
      health.recordAuthFailure(
        channel: "mango", reason: noisy, at: start + 8 * 86_400 + Double(minute) * 60)
    }
    let failing = health.snapshot[0]
    #expect(failing.status == "failing")
    #expect(failing.failingSince == start + 8 * 86_400)
    let error = failing.lastError ?? ""
    #expect(error.hasPrefix("refusing: the last 5 requests were refused (event [31mxxx"))
    #expect(!error.contains("\u{1B}"))
    #expect(error.count < 400)
    // An authenticated request that stores nothing (a dropped status callback) clears it.
    health.recordAuthenticated(channel: "mango")
    #expect(status(health) == "ok")
    // A subscription renewed does not clear it; a reload (maybe a corrected secret) does.
    for _ in 0..<5 { health.recordAuthFailure(channel: "mango", reason: "wrong sign") }
    health.recordSuccess(channel: "mango", request: false)
    #expect(status(health) == "failing")
    health.register(channel: "mango", definition: "mango-office")
    #expect(status(health) == "ok")
    // A storage failure is not cleared by an authenticated request that stored nothing.
    health.recordFailure(channel: "mango", error: HealthRegistry.storagePrefix + "disk full")
    health.recordAuthenticated(channel: "mango")
    #expect(status(health) == "failing")
    health.recordSuccess(channel: "mango")
    #expect(status(health) == "ok")
  }

  @Test(
    "a storage failure is cleared only by a success that wrote: not a renewal, not an empty pass")
  func storageFailureNeedsAWrite() {
    let health = HealthRegistry()
    health.register(channel: "site", definition: "generic")
    health.register(channel: "mango", definition: "mango-office")
    health.register(mailbox: "info")
    func site() -> String? { health.snapshot.first { $0.name == "site" }?.status }
    health.recordFailure(channel: "site", error: HealthRegistry.storagePrefix + "disk full")
    #expect(site() == "failing")
    health.recordSuccess(channel: "mango", request: false)
    #expect(site() == "failing")
    health.recordSuccess(channel: "info", wrote: false)
    #expect(site() == "failing")
    // The channel's own renewal does not clear it either.
    health.recordSuccess(channel: "site", request: false)
    #expect(site() == "failing")
    // A mailbox pass that stored letters did write: the database takes writes again.
    health.recordSuccess(channel: "info", wrote: true)
    #expect(site() == "ok")
  }

  @Test(
    "a mailbox renamed into a channel of the same name in one reload stays listed, as a channel")
  func mailboxBecomesChannel() {
    let health = HealthRegistry()
    health.register(mailbox: "sales")
    // The reload: channels registered first, the removed mailbox forgotten after its stop.
    health.register(channel: "sales", definition: "generic")
    health.retainChannels(["sales"])
    health.remove(mailbox: "sales")
    #expect(health.snapshot.map(\.name) == ["sales"])
    #expect(health.snapshot.first?.kind == "webhook")
    #expect(health.snapshot.first?.definition == "generic")
    // A mailbox removed for good is forgotten.
    health.register(mailbox: "info")
    health.remove(mailbox: "info")
    #expect(health.snapshot.map(\.name) == ["sales"])
  }
}
