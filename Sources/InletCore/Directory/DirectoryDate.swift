import Foundation

/// The date formats CRM exports use for `updated_at`: RFC 3339 (the API), `YYYY-MM-DD` and 1C's
/// `DD.MM.YYYY HH:MM:SS` (CSV exports). Dates without a zone are taken as UTC.
public enum DirectoryDate {
  /// The instants ``format(_:)`` writes as RFC 3339: years 0000 to 9999 in UTC.
  static let representable: Range<Date> = {
    // Foundation's Gregorian calendar is Julian before 1582, and so is `format`: take the bounds
    // from the calendar rather than from proleptic arithmetic.
    let calendar = utcCalendar
    let first = calendar.date(from: DateComponents(year: 0, month: 1, day: 1))!
    return first..<calendar.date(from: DateComponents(year: 10_000, month: 1, day: 1))!
  }()

  private static let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }()

  /// Parses one of the accepted formats, or returns `nil` (also for an instant outside the years
  /// 0000 to 9999 in UTC, which could not be written back as RFC 3339).
  public static func parse(_ raw: String) -> Date? {
    guard let date = parseAnyYear(raw), representable.contains(date) else { return nil }
    return date
  }

  private static func parseAnyYear(_ raw: String) -> Date? {
    let text = raw.trimmingCharacters(in: .whitespaces)
    if text.isEmpty { return nil }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    if let date = try? Date(
      text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    {
      return date
    }
    // A zone offset the strict parsers refused (beyond ±18:00) must not be read as more time
    // fields: `-23:59` after the time would otherwise be dropped silently.
    if let colon = text.firstIndex(of: ":"), text[colon...].contains("-") { return nil }
    let parts = text.split(whereSeparator: { " T.:-".contains($0) }).map { Int($0) }
    guard parts.count >= 3, parts.allSatisfy({ $0 != nil }) else { return nil }
    let numbers = parts.map { $0! }
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    if text.contains("-") {
      (components.year, components.month, components.day) = (numbers[0], numbers[1], numbers[2])
    } else if text.contains(".") {
      (components.day, components.month, components.year) = (numbers[0], numbers[1], numbers[2])
    } else {
      return nil
    }
    components.hour = numbers.count > 3 ? numbers[3] : 0
    components.minute = numbers.count > 4 ? numbers[4] : 0
    components.second = numbers.count > 5 ? numbers[5] : 0
    guard let month = components.month, (1...12).contains(month), let day = components.day,
      (1...31).contains(day)
    else { return nil }
    return utcCalendar.date(from: components)
  }

  /// RFC 3339 in UTC.
  public static func format(_ date: Date) -> String {
    date.formatted(.iso8601)
  }
}
