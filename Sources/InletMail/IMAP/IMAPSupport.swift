import Foundation
import InletCore

/// UID sets in IMAP syntax (`1:500,502,510:512`).
enum UIDSet {
  struct Chunk: Equatable {
    var uids: [UInt32]
    var text: String
  }

  /// Sorted UIDs cut into chunks of at most `maxCount` UIDs and `maxLength` characters of set
  /// text. Servers limit command lines (Dovecot to 64 KB, Exchange to 10,240 bytes by default;
  /// RFC 7162 asks clients to stay under 8,192 with the command around the set).
  static func chunks(_ sorted: [UInt32], maxCount: Int, maxLength: Int = 7_600) -> [Chunk] {
    var result: [Chunk] = []
    var uids: [UInt32] = []
    var text = ""
    var runStart: UInt32 = 0
    var runEnd: UInt32 = 0

    func closeRun() {
      if !text.isEmpty { text += "," }
      text += runStart == runEnd ? "\(runStart)" : "\(runStart):\(runEnd)"
    }
    func closeChunk() {
      guard !uids.isEmpty else { return }
      closeRun()
      result.append(Chunk(uids: uids, text: text))
      uids.removeAll(keepingCapacity: true)
      text = ""
    }

    for uid in sorted {
      if !uids.isEmpty && (uids.count >= maxCount || text.utf8.count + 24 > maxLength) {
        closeChunk()
      }
      if uids.isEmpty {
        runStart = uid
        runEnd = uid
      } else if uid == runEnd &+ 1 {
        runEnd = uid
      } else if uid != runEnd {
        closeRun()
        runStart = uid
        runEnd = uid
      } else {
        continue
      }
      uids.append(uid)
    }
    closeChunk()
    return result
  }
}

/// IMAP's date formats, without Foundation's date formatters (slow, locale-bound).
enum IMAPDate {
  private static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  /// `d-Mon-yyyy` of the UTC day of `date`, for SEARCH SINCE.
  static func searchDate(_ date: Date) -> String {
    let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
    let (year, month, day) = civil(days)
    return "\(day)-\(months[month - 1])-\(year)"
  }

  /// `dd-Mon-yyyy hh:mm:ss +zzzz` (the day may be space-padded); nil when malformed.
  static func parseInternalDate(_ text: String) -> Date? {
    Array(text.utf8).withUnsafeBufferPointer { parseInternalDate($0) }
  }

  private static let monthKeys: [UInt32] = months.map { name in
    name.utf8.reduce(0) { $0 << 8 | UInt32($1 | 0x20) }
  }

  static func parseInternalDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
    var index = 0
    func skipSpaces() {
      while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
    }
    func number(_ maxDigits: Int) -> Int? {
      var value = 0
      var digits = 0
      while index < bytes.count, digits < maxDigits, bytes[index] >= UInt8(ascii: "0"),
        bytes[index] <= UInt8(ascii: "9")
      {
        value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        digits += 1
        index += 1
      }
      return digits > 0 ? value : nil
    }
    func expect(_ byte: UInt8) -> Bool {
      guard index < bytes.count, bytes[index] == byte else { return false }
      index += 1
      return true
    }
    skipSpaces()
    guard let day = number(2), expect(UInt8(ascii: "-")), index + 3 <= bytes.count else {
      return nil
    }
    var key: UInt32 = 0
    for offset in 0..<3 { key = key << 8 | UInt32(bytes[index + offset] | 0x20) }
    guard let month = monthKeys.firstIndex(of: key) else { return nil }
    index += 3
    guard expect(UInt8(ascii: "-")), let year = number(4), expect(UInt8(ascii: " ")),
      let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2),
      expect(UInt8(ascii: ":")), let second = number(2)
    else { return nil }
    skipSpaces()
    guard index < bytes.count else { return nil }
    let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
    guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else {
      return nil
    }
    index += 1
    guard let zone = number(4), day >= 1, day <= 31, hour < 24, minute < 60, second < 61 else {
      return nil
    }
    let offset = sign * ((zone / 100) * 3600 + (zone % 100) * 60)
    let days = CivilDate.days(year: year, month: month + 1, day: day)
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
    return Date(timeIntervalSince1970: TimeInterval(seconds))
  }

  static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
