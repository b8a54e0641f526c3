import Foundation
import Testing

@testable import InletCore

@Suite("Retry-After")
struct RetryAfterTests {
  static let now = Date(timeIntervalSince1970: 1_796_000_000)

  @Test(
    "delay seconds and HTTP dates, capped at a day; anything else is not a wait",
    arguments: [
      ("120", 120.0), (" 0 ", 0), ("99999999999999999999999", RetryAfter.longest),
      ("172800", RetryAfter.longest), ("-5", nil), ("soon", nil), ("", nil), ("1.5", nil),
    ] as [(String, Double?)])
  func values(_ value: String, _ expected: Double?) {
    #expect(RetryAfter.seconds(value, now: Self.now) == expected)
  }

  @Test("an HTTP date is the wait until it; one in the past is no wait")
  func dates() throws {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    let later = formatter.string(from: Self.now.addingTimeInterval(3_600))
    #expect(RetryAfter.seconds(later, now: Self.now) == 3_600)
    let earlier = formatter.string(from: Self.now.addingTimeInterval(-60))
    #expect(RetryAfter.seconds(earlier, now: Self.now) == 0)
    // The obsolete forms RFC 9110 asks recipients to accept.
    formatter.dateFormat = "EEEE, dd-MMM-yy HH:mm:ss 'GMT'"
    #expect(
      RetryAfter.seconds(formatter.string(from: Self.now.addingTimeInterval(60)), now: Self.now)
        == 60)
    formatter.dateFormat = "EEE MMM d HH:mm:ss yyyy"
    #expect(
      RetryAfter.seconds(formatter.string(from: Self.now.addingTimeInterval(60)), now: Self.now)
        == 60)
    #expect(RetryAfter.seconds("Sun Nov  6 08:49:37 1994", now: Self.now) == 0)
    #expect(
      RetryAfter.httpDate("Sun Nov  6 08:49:37 1994")
        == RetryAfter.httpDate("Sun, 06 Nov 1994 08:49:37 GMT"))
  }
}
