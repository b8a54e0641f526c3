import Foundation

/// Parses RFC 3339 times as query parameters carry them: `T` or `t` (or a space), any number
/// of fractional digits, `Z` or a numeric offset, and a leap second read as :59.
enum RFC3339 {
  static func parse(_ text: String) -> Date? {
    let pattern =
      #/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/#
    guard let m = text.wholeMatch(of: pattern),
      let year = Int(m.1), let month = Int(m.2), let day = Int(m.3),
      let hour = Int(m.4), let minute = Int(m.5), let second = Int(m.6),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
    else { return nil }
    // The proleptic Gregorian calendar of RFC 3339, years 0000–9999 (Foundation's calendar has
    // no year 0: it counts eras).
    guard day <= daysIn(month: month, year: year) else { return nil }
    let seconds =
      daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3_600
      + minute * 60 + min(second, 59)
    let base = Date(timeIntervalSince1970: TimeInterval(seconds))
    let fraction = m.7.flatMap { Double("0" + $0) } ?? 0
    var offset = 0
    if let sign = m.9, let hours = m.10.flatMap({ Int($0) }),
      let minutes = m.11.flatMap({ Int($0) })
    {
      guard hours < 24, minutes < 60 else { return nil }
      offset = (hours * 60 + minutes) * 60 * (sign == "-" ? -1 : 1)
    }
    return base.addingTimeInterval(fraction - Double(offset))
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}
