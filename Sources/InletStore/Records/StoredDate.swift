import Foundation
import GRDB

#if canImport(Glibc)
  import Glibc
#endif

/// A date as the store keeps it in text columns: `yyyy-MM-dd HH:mm:ss.SSS` in UTC, the format
/// GRDB writes for a `Date` (so rows written either way read back the same, and compare as text).
///
/// GRDB formats through `DateFormatter`, i.e. ICU, which costs more than the rest of an insert;
/// the ingest paths bind ``text`` instead. The instant is rounded to the nearest millisecond as
/// Foundation and ICU do it (a half up).
public struct StoredDate: DatabaseValueConvertible, Sendable, Hashable {
  public var date: Date

  public init(_ date: Date) { self.date = date }

  public var databaseValue: DatabaseValue { Self.text(date).databaseValue }

  public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredDate? {
    Date.fromDatabaseValue(dbValue).map(StoredDate.init)
  }

  /// The date's text, or GRDB's own formatting for years outside 1900…9999 (ICU's calendar
  /// turns Julian before 1582).
  public static func text(_ date: Date) -> String {
    // Foundation hands ICU the instant in milliseconds plus a half, which ICU floors: the
    // nearest millisecond, a half rounded up (towards the future, also before 1970).
    let milliseconds = (date.timeIntervalSince1970 * 1000 + 0.5).rounded(.down)
    guard milliseconds >= -2_208_988_800_000, milliseconds < 253_402_300_800_000 else {
      return String.fromDatabaseValue(date.databaseValue) ?? ""
    }
    let total = Int64(milliseconds)
    let millisecond = Int(((total % 1000) + 1000) % 1000)
    var seconds = time_t((total - Int64(millisecond)) / 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    var bytes = [UInt8](repeating: 0, count: 23)
    bytes.withUnsafeMutableBufferPointer { out in
      put(Int(parts.tm_year) + 1900, digits: 4, at: 0, in: out)
      out[4] = UInt8(ascii: "-")
      put(Int(parts.tm_mon) + 1, digits: 2, at: 5, in: out)
      out[7] = UInt8(ascii: "-")
      put(Int(parts.tm_mday), digits: 2, at: 8, in: out)
      out[10] = UInt8(ascii: " ")
      put(Int(parts.tm_hour), digits: 2, at: 11, in: out)
      out[13] = UInt8(ascii: ":")
      put(Int(parts.tm_min), digits: 2, at: 14, in: out)
      out[16] = UInt8(ascii: ":")
      put(Int(parts.tm_sec), digits: 2, at: 17, in: out)
      out[19] = UInt8(ascii: ".")
      put(millisecond, digits: 3, at: 20, in: out)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func put(
    _ value: Int, digits: Int, at offset: Int, in out: UnsafeMutableBufferPointer<UInt8>
  ) {
    var value = value
    for index in stride(from: offset + digits - 1, through: offset, by: -1) {
      out[index] = UInt8(ascii: "0") + UInt8(value % 10)
      value /= 10
    }
  }
}
