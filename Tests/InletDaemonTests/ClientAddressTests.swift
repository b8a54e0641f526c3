import Foundation
import HTTPTypes
import InletCore
import Testing

@testable import InletHTTP

/// Who the client is behind proxies, and the per-key request windows.
struct ClientAddressTests {
  @Test func forwardedForIsBelievedOnlyFromTrustedProxies() {
    let trusted: Set<String> = ["127.0.0.1", "10.0.0.2"]
    #expect(
      ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "203.0.113.7", trusted: trusted)
        == "203.0.113.7")
    // Anything left of the first untrusted hop may be forged by the client.
    #expect(
      ClientAddress.resolve(
        peer: "127.0.0.1", forwardedFor: "1.2.3.4, 203.0.113.7, 10.0.0.2", trusted: trusted)
        == "203.0.113.7")
    #expect(
      ClientAddress.resolve(peer: "198.51.100.9", forwardedFor: "203.0.113.7", trusted: trusted)
        == "198.51.100.9")
    #expect(
      ClientAddress.resolve(peer: "::ffff:127.0.0.1", forwardedFor: "203.0.113.7", trusted: trusted)
        == "203.0.113.7")
    #expect(
      ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: nil, trusted: trusted) == "127.0.0.1")
    // IPv4 peers on a dual-stack listener are counted one by one, not as one IPv6 /64.
    let mapped = ClientAddress.resolve(peer: "::ffff:198.51.100.1", forwardedFor: nil, trusted: [])
    #expect(mapped == "198.51.100.1")
    #expect(ClientAddress.limitKey(mapped ?? "") == "198.51.100.1")
    #expect(ClientAddress.limitKey("::ffff:cb00:7109") == "203.0.113.9")
    #expect(ClientAddress.limitKey("2001:db8:1:2::5") == "2001:db8:1:2::/64")
    // A client's own X-Forwarded-For line, and the proxy's line after it (HAProxy adds one):
    // the proxy's word counts, not the forged first line.
    var fields = HTTPFields()
    fields.append(HTTPField(name: .init("X-Forwarded-For")!, value: "185.45.152.42"))
    fields.append(HTTPField(name: .contentType, value: "x"))
    fields.append(HTTPField(name: .init("x-forwarded-for")!, value: "203.0.113.7"))
    let lines = ClientAddress.forwardedFor(fields)
    #expect(lines == "185.45.152.42,203.0.113.7")
    #expect(
      ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: lines, trusted: trusted)
        == "203.0.113.7")
    #expect(ClientAddress.forwardedFor([.contentType: "x"]) == nil)
    // Hops written with their ports.
    #expect(
      ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "203.0.113.7:5678", trusted: trusted)
        == "203.0.113.7")
    #expect(
      ClientAddress.resolve(
        peer: "127.0.0.1", forwardedFor: "[2001:db8::1]:443", trusted: trusted) == "2001:db8::1")
    #expect(
      ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: "2001:db8::1", trusted: trusted)
        == "2001:db8::1")
  }

  @Test func fixedWindows() {
    let limiter = RateLimiter()
    let limit = RateLimit(requests: 2, period: 60)
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    #expect(limiter.admit("a", limit: limit, now: start) == nil)
    #expect(limiter.admit("a", limit: limit, now: start.addingTimeInterval(1)) == nil)
    #expect(limiter.admit("a", limit: limit, now: start.addingTimeInterval(2))?.retryAfter == 58)
    #expect(limiter.admit("a", limit: limit, now: start.addingTimeInterval(3))?.refused == 2)
    #expect(limiter.admit("b", limit: limit, now: start.addingTimeInterval(2)) == nil)
    #expect(limiter.admit("a", limit: limit, now: start.addingTimeInterval(60)) == nil)
  }

  /// The clock set back an hour: the full window is not held for the hour plus its period.
  @Test func clockSetBack() {
    let limiter = RateLimiter()
    let limit = RateLimit(requests: 1, period: 60)
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    #expect(limiter.admit("a", limit: limit, now: start) == nil)
    #expect(limiter.admit("a", limit: limit, now: start.addingTimeInterval(1)) != nil)
    let back = start.addingTimeInterval(-3600)
    #expect(limiter.admit("a", limit: limit, now: back) == nil)
    #expect(limiter.admit("a", limit: limit, now: back.addingTimeInterval(1))?.retryAfter == 59)
  }

  @Test("a flood from ever new addresses: swept once a second, never more than the cap")
  func boundedKeys() {
    let limiter = RateLimiter(sweepThreshold: 100, maxKeys: 1_000)
    let limit = RateLimit(requests: 1, period: 60)
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    for n in 0..<5_000 { _ = limiter.admit("k\(n)", limit: limit, now: start) }
    #expect(limiter.count == 1_000)
    // An uncounted newcomer passes; a counted key is still limited; a channel's own key is
    // counted even when the windows are full.
    #expect(limiter.admit("new", limit: limit, now: start) == nil)
    #expect(limiter.admit("k1", limit: limit, now: start) != nil)
    #expect(limiter.admit("site:channel", limit: limit, now: start, bounded: false) == nil)
    #expect(limiter.admit("site:channel", limit: limit, now: start, bounded: false) != nil)
    // A minute on, the expired windows go at the first sweep.
    _ = limiter.admit("later", limit: limit, now: start.addingTimeInterval(61))
    #expect(limiter.count == 1)
  }

  @Test("RFC 3339 times: the proleptic calendar from year 0000, leap days, offsets")
  func rfc3339() {
    #expect(RFC3339.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
    #expect(RFC3339.parse("2026-11-30T10:00:00+03:00")?.timeIntervalSince1970 == 1_796_022_000)
    #expect(RFC3339.parse("2000-02-29t12:00:00.5z")?.timeIntervalSince1970 == 951_825_600.5)
    #expect(RFC3339.parse("0000-01-01T00:00:00Z")?.timeIntervalSince1970 == -62_167_219_200)
    #expect(RFC3339.parse("2016-12-31T23:59:60Z")?.timeIntervalSince1970 == 1_483_228_799)
    #expect(RFC3339.parse("2023-02-29T00:00:00Z") == nil)
    #expect(RFC3339.parse("1900-02-29T00:00:00Z") == nil)
    #expect(RFC3339.parse("2026-04-31T00:00:00Z") == nil)
    #expect(RFC3339.parse("2026-11-30") == nil)
  }

  @Test("a storage failure is the database's: any channel's next stored request clears it")
  func storageHealthIsShared() {
    let health = HealthRegistry()
    health.register(channel: "rare", definition: "generic")
    health.register(channel: "busy", definition: "generic")
    health.recordFailure(
      channel: "rare", error: HealthRegistry.storagePrefix + "database is locked")
    health.recordFailure(channel: "busy", error: "definition: something else")
    #expect(health.snapshot.map(\.status) == ["failing", "failing"])
    health.recordSuccess(channel: "busy")
    let states = Dictionary(uniqueKeysWithValues: health.snapshot.map { ($0.name, $0.status) })
    #expect(states == ["busy": "ok", "rare": "ok"])
  }

  @Test("per-IP limits count an IPv6 client by its /64")
  func ipv6Prefix() {
    #expect(ClientAddress.limitKey("203.0.113.7") == "203.0.113.7")
    #expect(ClientAddress.limitKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
    #expect(ClientAddress.limitKey("2001:db8:1:2:bbbb:cc::9") == "2001:db8:1:2::/64")
    #expect(ClientAddress.limitKey("::1") == "0:0:0:0::/64")
    #expect(ClientAddress.limitKey("not an address") == "not an address")
  }
}
