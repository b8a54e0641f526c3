/// Finds phone numbers in free text and normalises them with InletCore's ``PhoneNormalizer``.
///
/// A candidate is a run of digits, spaces, dashes, dots and parentheses, optionally led by `+`,
/// holding 10 to 15 digits and not glued to letters. Runs right after a requisites label (ИНН,
/// КПП, ОГРН, БИК, р/с, …) or a number sign (`Заказ № …`, `Order #…`) are account or document
/// numbers, not phones. The scan works on UTF-8 bytes: every character that matters is ASCII,
/// a no-break space, an en dash or `№`.
public enum PhoneFinder {
  private static let requisiteLabels = [
    "инн", "кпп", "огрн", "огрнип", "бик", "р/с", "к/с", "р/сч", "к/сч", "счет", "счёт", "окпо",
    "оквэд", "inn", "kpp", "swift", "iban",
    // An order's number right after the word (`Заказ 89161112233`, `Номер заказа: …`); a word
    // that only contains it (`Отдел заказов: +7 …`) or stands further back (`Заказ звонка: +7
    // …`) is no label of the number.
    "заказ", "заказа", "order",
  ]

  private static let requisiteLabelBytes = requisiteLabels.map { Array($0.utf8) }
  private static let longestLabel = requisiteLabelBytes.map(\.count).max()!

  /// A run without a phone of at most this many digits is searched again after its first
  /// space; a longer one (a table of figures) is passed over whole, as it was read.
  static let restartDigits = 30

  /// Distinct numbers kept from one text (a letter is read for its sender's numbers; a price
  /// list of thousands is not a lead's phones, and each found one is checked against the rest).
  public static let mostFound = 100

  public static func find(in text: String, normalizer: PhoneNormalizer) -> [String] {
    let bytes = Array(text.utf8)
    // Ten digits at least, or no phone can be there (counting stops at ten).
    var digitCount = 0
    for byte in bytes where isDigit(byte) {
      digitCount += 1
      if digitCount == 10 { break }
    }
    guard digitCount == 10 else { return [] }
    var found: [String] = []
    var index = 0
    let count = bytes.count
    while index < count && found.count < mostFound {
      let byte = bytes[index]
      guard byte == UInt8(ascii: "+") || isDigit(byte), !followsWord(bytes, index) else {
        index += 1
        continue
      }
      var end = index + 1
      var digits = isDigit(byte) ? 1 : 0
      var spaces = 0
      // Where a space follows a digit, and the digits before it: two numbers a space apart
      // (`89161234567 89037654321`, table cells) are one run, split there again below.
      var gaps: [(at: Int, digits: Int)] = []
      scan: while end < count {
        let next = bytes[end]
        switch next {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
          digits += 1
          spaces = 0
          end += 1
        case 0x20:
          spaces += 1
          if spaces > 1 { break scan }
          if isDigit(bytes[end - 1]) { gaps.append((end, digits)) }
          end += 1
        case UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"):
          spaces = 0
          end += 1
        // `+7.495.123.45.67`: a dot between digits groups them as a dash does (a date's
        // eight digits are no phone; what normalises decides).
        case UInt8(ascii: ".")
        where isDigit(bytes[end - 1]) && end + 1 < count
          && isDigit(bytes[end + 1]):
          spaces = 0
          end += 1
        case 0xC2 where end + 1 < count && bytes[end + 1] == 0xA0:  // no-break space
          spaces += 1
          if spaces > 1 { break scan }
          if isDigit(bytes[end - 1]) { gaps.append((end, digits)) }
          end += 2
        case 0xE2 where end + 2 < count && bytes[end + 1] == 0x80 && bytes[end + 2] == 0x93:
          spaces = 0  // en dash
          end += 3
        default:
          break scan
        }
      }
      var last = end
      while last > index && !isDigit(bytes[last - 1]) { last -= 1 }
      // Letters right after the digits make them part of a word (`AB9161234567`), unless
      // they start an extension (`+7(495)123-45-67доб.123`).
      let gluedToLetter =
        last < count && startsLetter(bytes[last]) && !startsExtension(bytes, at: last)
      // (Fewer than ten digits make no phone whatever stands before them.)
      let requisite = digits >= 10 && isRequisite(bytes, before: index)
      var phone: String?
      // Dots group a phone only as phones are written (`+7.495.123.45.67`, `8.912.345.67.89`):
      // an address (`89.178.123.145`) or a date and time (`3.12.2026 9.30`) is no phone.
      let dotted = !Self.dotsGroupAPhone(bytes[index..<max(index, last)])
      if (10...15).contains(digits), last > index, !gluedToLetter, !requisite, !dotted {
        phone = normalizer.normalize(String(decoding: bytes[index..<last], as: UTF8.self))
      }
      if phone == nil, !requisite, !dotted, !gluedToLetter || digits > 15 {
        // Not one number: the longest first part that is one, before a space. Ten digits
        // without a `+` pass for a bare national number, as ten digits of an account or a
        // passport in groups would: they count only when the rest is a number too (two
        // numbers side by side).
        let plus = bytes[index] == UInt8(ascii: "+")
        for gap in gaps.reversed() where (10...15).contains(gap.digits) {
          if gap.digits == 10, !plus,
            gap.at + 1 >= last
              || normalizer.normalize(
                String(decoding: bytes[(gap.at + 1)..<last], as: UTF8.self)) == nil
          {
            continue
          }
          if let first = normalizer.normalize(
            String(decoding: bytes[index..<gap.at], as: UTF8.self))
          {
            phone = first
            end = gap.at
            break
          }
        }
      }
      if let phone, !found.contains(phone) { found.append(phone) }
      if phone == nil, !requisite, !gluedToLetter, digits <= Self.restartDigits,
        let gap = gaps.first
      {
        // No number in the run: what follows its first space may be one (`Офис 15 8 (495)
        // 123-45-67` from a table's cells, `до 18 8-912-345-67-89`). Each restart leaves a
        // digit behind, so a run is read at most this many times.
        index = gap.at + 1
      } else {
        index = max(end, index + 1)
      }
    }
    return found
  }

  /// Whether a run's dots (if any) group digits as a phone's: a leading `+`, or at least five
  /// groups (country or trunk, code, three groups); never a group of four digits or more.
  private static func dotsGroupAPhone(_ run: ArraySlice<UInt8>) -> Bool {
    guard run.contains(UInt8(ascii: ".")) else { return true }
    var groups = 1
    var groupDigits = 0
    for byte in run {
      if byte == UInt8(ascii: ".") {
        groups += 1
        groupDigits = 0
      } else if isDigit(byte) {
        groupDigits += 1
        if groupDigits > 3 { return false }
      } else {
        groupDigits = 0
      }
    }
    return run.first == UInt8(ascii: "+") || groups >= 5
  }

  /// Whether the letters at `index` introduce an extension (`доб.`, `вн.`, `ext`).
  private static func startsExtension(_ bytes: [UInt8], at index: Int) -> Bool {
    let word = String(decoding: bytes[index..<min(bytes.count, index + 6)], as: UTF8.self)
      .lowercased()
    return word.hasPrefix("доб") || word.hasPrefix("вн") || word.hasPrefix("ext")
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= 0x30 && byte <= 0x39
  }

  /// ASCII letters and the lead bytes of two-byte letters (Latin-1 letters, Cyrillic, Greek);
  /// `0xC2` leads punctuation (no-break space, guillemets) and is not a letter.
  private static func startsLetter(_ byte: UInt8) -> Bool {
    (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0xC3 && byte <= 0xDF)
  }

  /// Whether the byte at `index` continues a word (a digit or letter right before it).
  private static func followsWord(_ bytes: [UInt8], _ index: Int) -> Bool {
    guard index > 0 else { return false }
    let previous = bytes[index - 1]
    if isDigit(previous) || startsLetter(previous) { return true }
    // The last byte of a two-byte letter.
    return previous & 0xC0 == 0x80 && index > 1 && bytes[index - 2] >= 0xC3
      && bytes[index - 2] <= 0xDF
  }

  /// Whether a requisites label or a number sign stands right before the digits at `start`,
  /// with only spaces, colons, dots and dashes between (`ИНН: 7707083893`, `ИНН — 7707083893`,
  /// `Заказ № 1234567890`).
  /// A label further back names another number: `ООО «Ромашка», ИНН 7707083893, тел. +7 495 …`,
  /// and a word that merely contains one is no label (`Отдел заказов: +7 495 …`).
  private static func isRequisite(_ bytes: [UInt8], before start: Int) -> Bool {
    var end = start
    while end > 0 {
      let byte = bytes[end - 1]
      if byte == 0x20 || byte == 0x09 || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
        || byte == UInt8(ascii: "-")
      {
        end -= 1
      } else if byte == 0xA0 && end > 1 && bytes[end - 2] == 0xC2 {  // no-break space
        end -= 2
      } else if (byte == 0x93 || byte == 0x94) && end > 2 && bytes[end - 2] == 0x80
        && bytes[end - 3] == 0xE2
      {
        end -= 3  // en or em dash: `ИНН — 7707083893`
      } else if byte == UInt8(ascii: "#") {
        return true
      } else if byte == 0x96 && end > 2 && bytes[end - 2] == 0x84 && bytes[end - 3] == 0xE2 {
        return true  // №
      } else {
        break
      }
    }
    // The word that ends there, lower-cased in a buffer on the stack.
    let from = max(0, end - longestLabel)
    let adjacent = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: end - from) { window in
      bytes.withUnsafeBufferPointer { source in
        _ = window.initialize(from: UnsafeBufferPointer(rebasing: source[from..<end]))
      }
      UTF8Case.lowercaseInPlace(window)
      return requisiteLabelBytes.contains { label in
        guard label.count <= window.count, window.suffix(label.count).elementsEqual(label)
        else { return false }
        // A whole word: «Линн» or «Finn» labels nothing.
        return !followsWord(bytes, end - label.count)
      }
    }
    if adjacent { return true }
    // An INN's label a word or two back (`ИНН организации: 7707083893`): ten digits of an
    // INN also pass for a bare (Kazakh) number. Only for what an INN looks like: 10 or 12
    // digits in one piece.
    var digitsEnd = start
    while digitsEnd < bytes.count && isDigit(bytes[digitsEnd]) { digitsEnd += 1 }
    let run = digitsEnd - start
    guard run == 10 || run == 12 else { return false }
    var back = max(0, end - 2 * INN.nearbyWindow)
    while back < end && bytes[back] & 0xC0 == 0x80 { back += 1 }  // not inside a letter
    return INN.labelsNearby(String(decoding: bytes[back..<end], as: UTF8.self))
  }
}
