import Foundation
import GRDB

/// A date as the store keeps it in text columns: `yyyy-MM-dd HH:mm:ss.SSS` in UTC, the format
/// GRDB writes for a `Date` (so rows written either way read back the same, and compare as text).
///
/// GRDB formats through `DateFormatter`, i.e. ICU, which costs more than the rest of an insert;
/// the ingest paths bind ``text`` instead. The instant is rounded to the nearest millisecond, as
/// ICU does.
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
    let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
    // Years 1900…9999 only; anything else (never a received time) goes the slow way.
    guard milliseconds >= -2_208_988_800_000, milliseconds < 253_402_300_800_000 else {
      return String.fromDatabaseValue(date.databaseValue) ?? ""
    }
    let total = Int64(milliseconds)
    let millisecond = Int(total - floorDivide(total, 1000) * 1000)
    let seconds = floorDivide(total, 1000)
    let days = floorDivide(seconds, 86_400)
    let secondOfDay = Int(seconds - days * 86_400)
    let (year, month, day) = civil(fromDays: days)
    var bytes = [UInt8](repeating: 0, count: 23)
    bytes.withUnsafeMutableBufferPointer { out in
      put(year, digits: 4, at: 0, in: out)
      out[4] = UInt8(ascii: "-")
      put(month, digits: 2, at: 5, in: out)
      out[7] = UInt8(ascii: "-")
      put(day, digits: 2, at: 8, in: out)
      out[10] = UInt8(ascii: " ")
      put(secondOfDay / 3600, digits: 2, at: 11, in: out)
      out[13] = UInt8(ascii: ":")
      put(secondOfDay / 60 % 60, digits: 2, at: 14, in: out)
      out[16] = UInt8(ascii: ":")
      put(secondOfDay % 60, digits: 2, at: 17, in: out)
      out[19] = UInt8(ascii: ".")
      put(millisecond, digits: 3, at: 20, in: out)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
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

  /// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's
  /// `civil_from_days`).
  private static func civil(fromDays days: Int64) -> (Int, Int, Int) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }
}
