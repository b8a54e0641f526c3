import Foundation

/// Parses RFC 3339 times as query parameters carry them: `T` or `t` (or a space), any number
/// of fractional digits, `Z` or a numeric offset, and a leap second read as :59.
public enum RFC3339 {
  public static func parse(_ text: String) -> Date? {
    let pattern =
      #/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/#
    guard let m = text.wholeMatch(of: pattern),
      let year = Int(m.1), let month = Int(m.2), let day = Int(m.3),
      let hour = Int(m.4), let minute = Int(m.5), let second = Int(m.6),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
    else { return nil }
    // The proleptic Gregorian calendar of RFC 3339, years 0000–9999 (Foundation's calendar has
    // no year 0: it counts eras).
    guard day <= CivilDate.daysIn(month: month, year: year) else { return nil }
    let seconds =
      CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3_600
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
}
