import Foundation

/// Russian taxpayer identification number (ИНН): 10 digits for organisations, 12 for
/// individuals and sole proprietors.
public enum INN: Sendable {
  private static let organisationWeights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
  private static let personFirstWeights = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
  private static let personSecondWeights = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]

  /// Labels that introduce an INN in Russian and transliterated documents; `/кпп` covers the
  /// common combined `ИНН/КПП 7707083893/773601001` form.
  private static let labels = ["инн/кпп", "inn/kpp", "инн", "inn"]
  /// Punctuation allowed between a label and the number (`ИНН: …`, `ИНН № …`).
  private static let labelSeparators: Set<Character> = [
    " ", "\u{00A0}", "\t", ":", "-", "\u{2013}", "\u{2014}", "№", "#", ".", "=",
  ]
  /// Characters that join digit groups into one longer number such as a phone or account.
  private static let groupJoiners: Set<Character> = [" ", "\u{00A0}", "-", "(", ")", "+"]

  /// Strips whitespace and checks the shape of an INN.
  ///
  /// The check digits are not verified here so that callers can tell a mistyped INN
  /// (`isValid` false) from something that is not an INN at all (`nil`).
  /// - Returns: The 10 or 12 digits, or `nil` for anything else.
  public static func normalize(_ raw: String) -> String? {
    // The usual cell is nothing but ASCII digits: then there is nothing to strip.
    let digitsOnly = raw.utf8.withContiguousStorageIfAvailable { bytes in
      !bytes.isEmpty && bytes.allSatisfy(ASCIIBytes.isDigit)
    }
    if digitsOnly == true { return raw.utf8.count == 10 || raw.utf8.count == 12 ? raw : nil }
    let digits = raw.filter { !$0.isWhitespace }
    guard digits.count == 10 || digits.count == 12, digits.allSatisfy(isASCIIDigit) else {
      return nil
    }
    return digits
  }

  /// A valid INN as people type it into a form's INN field: `7707083893`, `7707-083-893`,
  /// `ИНН 7707083893`, `7707083893/770701001` (with the KPP), or with the leading zero of
  /// regions 01–09 lost (9 or 11 digits); `nil` when the field holds none.
  public static func read(_ raw: String) -> String? {
    if let digits = normalize(raw), isValid(digits) { return digits }
    let joined = raw.filter { !$0.isWhitespace && $0 != "-" }
    if joined.allSatisfy(isASCIIDigit) {
      if (joined.count == 10 || joined.count == 12) && isValid(joined) { return joined }
      if (joined.count == 9 || joined.count == 11) && isValid("0" + joined) {
        return "0" + joined
      }
    }
    return extract(from: raw).first
  }

  /// Whether `digits` is a 10- or 12-digit INN with correct check digits.
  ///
  /// Region code `00` is also refused: it is never issued, and without this rule `0000000000`
  /// would pass the checksum.
  public static func isValid(_ digits: String) -> Bool {
    let fast = digits.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
      guard bytes.allSatisfy(ASCIIBytes.isDigit) else { return nil }
      return isValid(asciiDigits: bytes)
    }
    if let fast, let valid = fast { return valid }
    guard digits.allSatisfy(isASCIIDigit), !digits.hasPrefix("00") else { return false }
    let values = digits.compactMap(\.wholeNumberValue)
    switch values.count {
    case 10:
      return checkDigit(values, weights: organisationWeights) == values[9]
    case 12:
      return checkDigit(values, weights: personFirstWeights) == values[10]
        && checkDigit(values, weights: personSecondWeights) == values[11]
    default:
      return false
    }
  }

  /// Finds valid INNs in free text, such as an e-mail signature or a requisites block.
  ///
  /// A candidate is a run of exactly 10 or 12 digits that is not part of a longer digit run.
  /// Labelled candidates (`ИНН 7707083893`) come first because they are the strongest
  /// evidence; unlabelled ones follow, but only when they are not one group of a spaced or
  /// dashed number (a phone `+7 9161234567` can pass the checksum by chance).
  /// - Returns: Distinct valid INNs, labelled first, each group in text order.
  public static func extract(from text: String) -> [String] {
    extractLabelled(from: text).map(\.inn)
  }

  /// ``extract(from:)`` with whether each INN had its label (`ИНН 7707083893`).
  public static func extractLabelled(from text: String) -> [(inn: String, labelled: Bool)] {
    let characters = Array(text)
    var labelled: [String] = []
    var unlabelled: [String] = []
    var start = 0
    while start < characters.count {
      guard isASCIIDigit(characters[start]) else {
        start += 1
        continue
      }
      var end = start
      while end < characters.count && isASCIIDigit(characters[end]) { end += 1 }
      let candidate = String(characters[start..<end])
      if isValid(candidate) {
        if hasLabel(characters, before: start) {
          labelled.append(candidate)
        } else if !isGrouped(characters, start: start, end: end) {
          unlabelled.append(candidate)
        }
      }
      start = end
    }
    var seen: Set<String> = []
    return (labelled.map { ($0, true) } + unlabelled.map { ($0, false) })
      .filter { seen.insert($0.0).inserted }
  }

  /// ``isValid(_:)`` of ASCII digits.
  private static func isValid(asciiDigits bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard bytes.count == 10 || bytes.count == 12 else { return false }
    if bytes[0] == UInt8(ascii: "0") && bytes[1] == UInt8(ascii: "0") { return false }
    func check(_ weights: [Int]) -> Int {
      var sum = 0
      for (index, weight) in weights.enumerated() { sum += Int(bytes[index] &- 0x30) * weight }
      return sum % 11 % 10
    }
    if bytes.count == 10 { return check(organisationWeights) == Int(bytes[9] &- 0x30) }
    return check(personFirstWeights) == Int(bytes[10] &- 0x30)
      && check(personSecondWeights) == Int(bytes[11] &- 0x30)
  }

  /// Mod-11-then-mod-10 weighted sum over the digits preceding the check position.
  private static func checkDigit(_ values: [Int], weights: [Int]) -> Int {
    zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11 % 10
  }

  private static func isASCIIDigit(_ character: Character) -> Bool {
    character.isASCII && character.isNumber
  }

  private static func hasLabel(_ characters: [Character], before start: Int) -> Bool {
    var index = start
    while index > 0 && labelSeparators.contains(characters[index - 1]) { index -= 1 }
    // One character more than the longest label, for the word-boundary check below.
    let window = (labels.map(\.count).max() ?? 0) + 1
    let prefix = String(characters[max(0, index - window)..<index]).lowercased()
    let adjacent = labels.contains { label in
      guard prefix.hasSuffix(label) else { return false }
      // The label must be a whole word: `Линн` or `Finn` must not count.
      let before = prefix.dropLast(label.count).last
      return before.map { !$0.isLetter } ?? true
    }
    return adjacent
      || labelsNearby(String(characters[max(0, index - nearbyWindow)..<index]))
  }

  /// How far back (characters) ``labelsNearby(_:)`` is given the text before a number.
  public static let nearbyWindow = 60

  /// Whether the text right before a number (its separators dropped) ends in a requisites
  /// label followed by at most two more words, with nothing between that would belong to
  /// another number: `ИНН организации: 7707083893`, `ИНН вашей компании — …`, `ОГРН
  /// юрлица 1027700132195`. Not `ИНН 7707083893, тел. +7 …` (a digit and a comma between) nor
  /// `Телефон компании: …`.
  public static func labelsNearby(_ before: String) -> Bool {
    var rest = Substring(before.lowercased())
    // Only words and spaces back to the label: a digit, a line break or punctuation that ends a
    // clause starts another statement.
    if let stop = rest.lastIndex(where: {
      $0.isNumber || $0.isNewline || ",;()[]<>|.!?:\"«»".contains($0)
    }) {
      rest = rest[rest.index(after: stop)...]
    }
    let words = rest.split { !$0.isLetter && $0 != "/" }
    // A phone's own word right before the number names it (`Встретим на КПП, тел. 8916…`).
    guard words.count >= 2, let last = words.last, !phoneWords.contains(String(last)) else {
      return false
    }
    return words.suffix(3).dropLast().contains { word in
      word.split(separator: "/").contains { nearbyLabels.contains(String($0)) }
    }
  }

  /// Requisites labels that name a number a few words on (``labelsNearby(_:)``).
  private static let nearbyLabels: Set<String> = ["инн", "кпп", "огрн", "огрнип", "окпо", "бик"]
  /// Words that name a phone number.
  private static let phoneWords: Set<String> = [
    "тел", "телефон", "телефона", "моб", "мобильный", "сотовый", "факс", "phone", "tel", "mobile",
    "fax", "whatsapp", "звоните", "номер",
  ]

  /// Whether the digit run at `start..<end` is glued to other digits by spaces, dashes,
  /// parentheses or a leading `+`.
  private static func isGrouped(_ characters: [Character], start: Int, end: Int) -> Bool {
    var before = start
    while before > 0 && groupJoiners.contains(characters[before - 1]) {
      if characters[before - 1] == "+" { return true }
      before -= 1
    }
    if before < start && before > 0 && isASCIIDigit(characters[before - 1]) { return true }
    var after = end
    while after < characters.count && groupJoiners.contains(characters[after]) { after += 1 }
    return after > end && after < characters.count && isASCIIDigit(characters[after])
  }
}
