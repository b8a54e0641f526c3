import Foundation
import InletCore

/// Parses RFC 5322 dates, including the obsolete forms: two-digit years, named zones, missing
/// day of week or seconds, comments, and the odd ISO 8601 date some scripts write.
public enum MailDate {
  private static let months = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
  ]
  private static let zones: [String: Int] = [
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "msk": 180, "msd": 240, "cet": 60,
    "cest": 120, "eet": 120, "eest": 180,
  ]

  /// The instant a `Date:` value names, or `nil`.
  public static func parse(_ text: String) -> Date? {
    // Tokens: comments dropped, split on spaces, tabs and commas, ASCII lower-cased.
    var tokens: [String] = []
    var current: [UInt8] = []
    var depth = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: "(") {
        depth += 1
      } else if byte == UInt8(ascii: ")") && depth > 0 {
        depth -= 1
      } else if depth > 0 {
        continue
      } else if byte == 0x20 || byte == 0x09 || byte == UInt8(ascii: ",") {
        if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
        current.removeAll(keepingCapacity: true)
      } else {
        current.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
      }
      if tokens.count > 16 { return nil }
    }
    if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
    if tokens.count == 1, let iso = parseISO(tokens[0]) { return iso }
    var day: Int?
    var month: Int?
    var year: Int?
    var time: (Int, Int, Int)?
    var offset = 0
    for token in tokens {
      if time == nil, token.utf8.contains(UInt8(ascii: ":")) {
        let parts = token.split(separator: ":").map { Int($0) }
        guard parts.count >= 2, let hour = parts[0], let minute = parts[1] else { continue }
        let second = parts.count > 2 ? (parts[2] ?? 0) : 0
        time = (hour, minute, second)
      } else if let first = token.first, first == "+" || first == "-", token.count == 5,
        let value = Int(token.dropFirst())
      {
        offset = (value / 100 * 60 + value % 100) * (first == "-" ? -1 : 1)
      } else if let zone = zones[token] {
        offset = zone
      } else if month == nil, let index = months.firstIndex(where: { token.hasPrefix($0) }) {
        month = index + 1
      } else if let number = Int(token) {
        if day == nil && number >= 1 && number <= 31 && token.count <= 2 {
          day = number
        } else if year == nil {
          year = number
        }
      }
    }
    guard let day, let month, var year, let time else { return nil }
    if year < 50 {
      year += 2000
    } else if year < 1000 {
      year += 1900
    }
    // Years 1…9999 only: `Jan -999999999999` parsed as a year overflowed the day count.
    guard (0..<24).contains(time.0), (0..<60).contains(time.1), (0...60).contains(time.2),
      (1..<10_000).contains(year), (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    let days = CivilDate.days(year: year, month: month, day: day)
    let seconds = days * 86_400 + time.0 * 3600 + time.1 * 60 + time.2 - offset * 60
    return Date(timeIntervalSince1970: TimeInterval(seconds))
  }

  private static func parseISO(_ token: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    return formatter.date(from: token.uppercased())
  }

}
