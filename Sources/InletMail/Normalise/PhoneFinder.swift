import InletCore

/// Finds phone numbers in free text and normalises them with InletCore's ``PhoneNormalizer``.
///
/// A candidate is a run of digits, spaces, dashes and parentheses, optionally led by `+`,
/// holding 10 to 15 digits and not glued to letters. Runs introduced by requisites labels
/// (ИНН, КПП, ОГРН, БИК, р/с, …) are account numbers, not phones.
enum PhoneFinder {
  private static let requisiteLabels = [
    "инн", "кпп", "огрн", "огрнип", "бик", "р/с", "к/с", "р/сч", "к/сч", "счет", "счёт", "окпо",
    "оквэд", "inn", "kpp", "swift", "iban", "заказ", "order", "№",
  ]
  private static let joiners: Set<UInt32> = [0x20, 0xA0, 0x2D, 0x2013, 0x28, 0x29]

  static func find(in text: String, normalizer: PhoneNormalizer) -> [String] {
    guard text.utf8.reduce(0, { $0 + ($1 >= 0x30 && $1 <= 0x39 ? 1 : 0) }) >= 10 else { return [] }
    let scalars = Array(text.unicodeScalars)
    var found: [String] = []
    var index = 0
    while index < scalars.count {
      let value = scalars[index].value
      let startsNumber = value == 0x2B || isDigit(value)
      guard startsNumber, index == 0 || !isWordScalar(scalars[index - 1]) else {
        index += 1
        continue
      }
      var end = index + 1
      var digits = value == 0x2B ? 0 : 1
      var spaces = 0
      while end < scalars.count {
        let next = scalars[end].value
        if isDigit(next) {
          digits += 1
          spaces = 0
        } else if joiners.contains(next) {
          spaces = next == 0x20 || next == 0xA0 ? spaces + 1 : 0
          if spaces > 1 { break }
        } else {
          break
        }
        end += 1
      }
      var last = end
      while last > index && !isDigit(scalars[last - 1].value) { last -= 1 }
      let gluedToLetter = last < scalars.count && scalars[last].properties.isAlphabetic
      if (10...15).contains(digits), last > index, !gluedToLetter,
        !isRequisite(scalars, before: index)
      {
        var candidate = String.UnicodeScalarView()
        candidate.append(contentsOf: scalars[index..<last])
        if let phone = normalizer.normalize(String(candidate)), !found.contains(phone) {
          found.append(phone)
        }
      }
      index = max(end, index + 1)
    }
    return found
  }

  private static func isDigit(_ value: UInt32) -> Bool {
    value >= 0x30 && value <= 0x39
  }

  private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    isDigit(scalar.value) || (scalar.value >= 0x41 && scalar.properties.isAlphabetic)
  }

  private static func isRequisite(_ scalars: [Unicode.Scalar], before start: Int) -> Bool {
    var window = String.UnicodeScalarView()
    window.append(contentsOf: scalars[max(0, start - 14)..<start])
    let lower = String(window).fastLowercased()
    return requisiteLabels.contains { lower.utf8Contains($0) }
  }
}
