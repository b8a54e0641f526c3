import Foundation
import GRDB
import Testing

@testable import InletStore

/// The store's own date text must be GRDB's, byte for byte: rows written by the ingest path and
/// by GRDB records sit in the same columns, are compared as text and read back as `Date`.
@Suite("Stored date text")
struct StoredDateTests {
  static func grdbText(_ date: Date) -> String? { String.fromDatabaseValue(date.databaseValue) }

  @Test(
    "edges: epoch, leap days, centuries, rounding to the millisecond, before 1970",
    arguments: [
      0, 0.0004, 0.0005, -0.0005, 0.0015, 0.9995, 0.9999, 1.0005, -0.0004, -0.5, -1, 59, 86_399.999,
      951_782_400,
      951_868_799.9994, 1_709_164_800, 4_107_542_400, 1_798_761_599.999, -2_208_988_800,
      -2_208_988_799.9999, 1_000_000_000.123, 253_402_300_799.998,
      // Exactly half a millisecond before 1970 once in milliseconds: rounded up, not away
      // from zero (found by the random test).
      -1_859_691_322.7934997,
    ])
  func edges(seconds: Double) {
    let date = Date(timeIntervalSince1970: seconds)
    #expect(StoredDate.text(date) == Self.grdbText(date))
  }

  @Test("50,000 random instants from 1900 to 9999 match GRDB's DateFormatter")
  func random() {
    var generator = SystemRandomNumberGenerator()
    let mismatches = Self.mismatches(
      (0..<50_000).map { _ in
        Double.random(in: -2_208_988_800...253_402_300_799, using: &generator)
      })
    #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(5))")
  }

  @Test("20,000 instants half a millisecond off a whole one, before and after 1970")
  func halves() {
    var generator = SystemRandomNumberGenerator()
    let mismatches = Self.mismatches(
      (0..<20_000).map { _ in
        let milliseconds = Int64.random(
          in: -2_208_988_800_000...253_402_300_799_000, using: &generator)
        return (Double(milliseconds) + 0.5) / 1000
      })
    #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(5))")
  }

  /// The instants (seconds since 1970) whose text differs from GRDB's, with both texts.
  static func mismatches(_ instants: [Double]) -> [String] {
    instants.compactMap { seconds in
      let date = Date(timeIntervalSince1970: seconds)
      let ours = StoredDate.text(date)
      let theirs = grdbText(date) ?? "nil"
      return ours == theirs ? nil : "\(seconds): \(ours) ≠ \(theirs)"
    }
  }

  @Test("outside the fast range GRDB formats; a bound StoredDate reads back as the Date")
  func fallbackAndRoundTrip() throws {
    let old = Date(timeIntervalSince1970: -5_000_000_000)
    #expect(StoredDate.text(old) == Self.grdbText(old))
    let queue = try DatabaseQueue()
    let now = Date(timeIntervalSince1970: 1_795_000_000.25)
    let back = try queue.read { db in
      try Date.fetchOne(db, sql: "SELECT ?", arguments: [StoredDate(now)])
    }
    #expect(back == now)
  }
}
