import Foundation

/// When a call started, as providers write it: Unix seconds (Mango `create_time`, Sipuni
/// `call_start_timestamp`), milliseconds (Beeline `startTime`), `YYYYmmddTHHMMSSZ` (MegaFon
/// `start`), RFC 3339, or a local `YYYY-MM-DD HH:MM:SS` (Zadarma `call_start`, UIS
/// `start_time`) in the account's time zone — the channel's `time_zone`, Moscow by default.
public enum CallTime {
  /// The default zone of local times: Russian PBX accounts keep Moscow time.
  public static let defaultZone =
    TimeZone(identifier: "Europe/Moscow") ?? TimeZone(
      secondsFromGMT: 3 * 3600)!

  /// Nil for anything else, and for a time before 2000 or more than a day ahead (a zero, a
  /// duration mapped by mistake): a wrong start is worse than none.
  public static func parse(_ text: String, zone: TimeZone = defaultZone, now: Date = Date())
    -> Date?
  {
    // (Unix time, the usual case, without a trimmed copy.)
    let value =
      text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
      ? text : text.trimmingCharacters(in: .whitespaces)
    guard let date = read(value, zone: zone) else { return nil }
    let earliest = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01
    guard date >= earliest, date <= now.addingTimeInterval(86_400) else { return nil }
    return date
  }

  private static func read(_ value: String, zone: TimeZone) -> Date? {
    if !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
      guard let number = Double(value) else { return nil }
      // Seconds have 10 digits in this century, milliseconds 13, microseconds 16.
      switch value.count {
      case ...11: return Date(timeIntervalSince1970: number)
      case 12...14: return Date(timeIntervalSince1970: number / 1000)
      default: return Date(timeIntervalSince1970: number / 1_000_000)
      }
    }
    if let date = RFC3339.parse(value) { return date }
    // MegaFon's 20261129T100000Z (UTC), or 2026-11-29 10:00:00 local to the account.
    let bytes = Array(value.utf8)
    let utc: Bool
    if bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") {
      utc = true
    } else if bytes.count == 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      bytes[10] == 0x20 || bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
      bytes[16] == UInt8(ascii: ":")
    {
      utc = false
    } else {
      return nil
    }
    let digits = bytes.filter { $0 >= 0x30 && $0 <= 0x39 }.map { Int($0 - 0x30) }
    guard digits.count == 14 else { return nil }
    func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
    let (year, month, day) = (number(0..<4), number(4..<6), number(6..<8))
    let (hour, minute, second) = (number(8..<10), number(10..<12), number(12..<14))
    // (2026-13-01 or 24:00 is no time.)
    guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
      hour < 24, minute < 60, second < 60
    else { return nil }
    let civil = TimeInterval(
      CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60
        + second)
    if utc { return Date(timeIntervalSince1970: civil) }
    // The zone's offset at that local time: taken at the guess, then again at the result (a
    // time next to a change of offset).
    var offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: civil))
    let first = Date(timeIntervalSince1970: civil - TimeInterval(offset))
    offset = zone.secondsFromGMT(for: first)
    return Date(timeIntervalSince1970: civil - TimeInterval(offset))
  }

  /// A `time_zone` option: an IANA name (`Europe/Moscow`, `Asia/Yekaterinburg`) or an offset
  /// (`+03:00`, `+05`).
  public static func zone(_ text: String) -> TimeZone? {
    if let zone = TimeZone(identifier: text), text.contains("/") || text == "UTC" { return zone }
    let sign: Int
    switch text.first {
    case "+": sign = 1
    case "-": sign = -1
    default: return nil
    }
    let parts = text.dropFirst().split(separator: ":").map { Int($0) }
    guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil }) else { return nil }
    let hours = parts[0]!
    let minutes = parts.count == 2 ? parts[1]! : 0
    guard (0...14).contains(hours), (0..<60).contains(minutes) else { return nil }
    return TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60))
  }
}
