import InletCore

/// Finds phone numbers in free text and normalises them with InletCore's ``PhoneNormalizer``.
///
/// A candidate is a run of digits, spaces, dashes and parentheses, optionally led by `+`,
/// holding 10 to 15 digits and not glued to letters. Runs introduced by requisites labels
/// (ИНН, КПП, ОГРН, БИК, р/с, …) are account numbers, not phones. The scan works on UTF-8
/// bytes: every character that matters is ASCII, a no-break space or an en dash.
enum PhoneFinder {
  private static let requisiteLabels = [
    "инн", "кпп", "огрн", "огрнип", "бик", "р/с", "к/с", "р/сч", "к/сч", "счет", "счёт", "окпо",
    "оквэд", "inn", "kpp", "swift", "iban", "заказ", "order", "№",
  ]

  private static let requisiteLabelSet = BytePatternSet(requisiteLabels.map { Array($0.utf8) })

  /// Distinct numbers kept from one text (a letter is read for its sender's numbers; a price
  /// list of thousands is not a lead's phones, and each found one is checked against the rest).
  static let mostFound = 100

  static func find(in text: String, normalizer: PhoneNormalizer) -> [String] {
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
          end += 1
        case UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"):
          spaces = 0
          end += 1
        case 0xC2 where end + 1 < count && bytes[end + 1] == 0xA0:  // no-break space
          spaces += 1
          if spaces > 1 { break scan }
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
      let gluedToLetter = last < count && startsLetter(bytes[last])
      if (10...15).contains(digits), last > index, !gluedToLetter,
        !isRequisite(bytes, before: index)
      {
        let candidate = String(decoding: bytes[index..<last], as: UTF8.self)
        if let phone = normalizer.normalize(candidate), !found.contains(phone) {
          found.append(phone)
        }
      }
      index = max(end, index + 1)
    }
    return found
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

  private static func isRequisite(_ bytes: [UInt8], before start: Int) -> Bool {
    // The label must be on the same line, within about a dozen characters.
    var from = start
    while from > max(0, start - 28) && bytes[from - 1] != 0x0A { from -= 1 }
    // Lower-cased in a buffer on the stack: this runs for every long digit run.
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: start - from) { window in
      bytes.withUnsafeBufferPointer { source in
        _ = window.initialize(from: UnsafeBufferPointer(rebasing: source[from..<start]))
      }
      ByteSearch.lowercaseInPlace(window)
      return requisiteLabelSet.occurs(in: UnsafeBufferPointer(window))
    }
  }
}
