import Foundation

/// Turns phone numbers as people and PBXs write them into E.164 (`+79161234567`).
///
/// The normaliser never guesses: input that fits no numbering rule of the default country, or
/// of the country named by an explicit international prefix, yields `nil` rather than a
/// plausible-looking wrong number that would merge two different contacts.
public struct PhoneNormalizer: Sendable {
  /// ISO 3166-1 alpha-2 code used to read numbers written without an international prefix.
  public let defaultCountry: String
  private let plan: CountryDialingPlan?
  /// The plan as byte tables for the fast path.
  let nationalTables: NationalTables?

  /// E.164 caps a full number at 15 digits.
  static let maximumDigits = 15
  /// Bounds for calling codes we know exist but have no detailed plan for.
  static let fallbackDigitRange = 8...15
  /// Extensions longer than this are more likely a second number glued on than an extension.
  private static let maximumExtensionDigits = 8

  /// Separators that carry no meaning in a written number; `/` is the classic German
  /// area-code separator (`030/1234567`).
  private static let separators: Set<Character> = [
    " ", "\u{00A0}", "\u{202F}", "\t", "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}",
    "\u{2014}", "\u{2212}", ".", "(", ")", "/",
  ]

  /// Words and symbols that introduce an extension, longest first so that `ext` does not
  /// shadow `extension`.
  private static let extensionMarkers = [
    "добавочный", "внутренний", "extension", ";ext=", "внутр", "доб", "ext", "вн", "x", "#",
  ]

  /// Caller-ID values PBXs and carriers send instead of a withheld number.
  private static let anonymousWords: Set<String> = [
    "anonymous", "unknown", "private", "restricted", "hidden", "unavailable", "withheld",
    "blocked", "скрыт", "скрытый", "неизвестен", "неизвестный", "аноним",
  ]

  /// Creates a normaliser.
  /// - Parameter defaultCountry: ISO 3166-1 alpha-2 code for numbers written in national form.
  ///   An unknown code leaves only internationally written numbers acceptable.
  public init(defaultCountry: String = "RU") {
    self.defaultCountry = defaultCountry.uppercased()
    self.plan = CountryDialingPlan.plan(forCountry: defaultCountry)
    self.nationalTables = plan.map(NationalTables.init)
  }

  /// ``normalize(_:)``, or — for bare digits that are no number in the default country — the
  /// same digits read as international (`375291234567`: a caller from abroad, as PBXes send
  /// them; a field rule's `international: fallback`).
  public func normalizeOrInternational(_ raw: String) -> String? {
    if let phone = normalize(raw) { return phone }
    return Self.isBareDigits(raw) ? normalize("+" + raw) : nil
  }

  /// Whether `text` is digits and nothing else.
  public static func isBareDigits(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  /// Normalises a raw phone number.
  ///
  /// Spaces, dashes, dots, slashes, parentheses, a `tel:` scheme and an extension tail
  /// (`доб. 12`, `ext 12`, `x12`, `#12`) are dropped.
  /// - Returns: The number in E.164 form, or `nil` when it cannot be read without guessing.
  public func normalize(_ raw: String) -> String? {
    if let inner = Self.uriNumber(raw) { return normalize(inner) }
    let fast = raw.utf8.withContiguousStorageIfAvailable(normalizeASCII)
    if case .some(.decided(let result)) = fast { return result }
    return normalizeGeneral(raw)
  }

  /// ``normalize(_:)`` of UTF-8 text, without making a `String` of it when the fast path can
  /// decide.
  public func normalize(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
    if let first = bytes.first(where: { $0 != UInt8(ascii: " ") }), Self.mayStartURI(first) {
      return normalize(String(decoding: bytes, as: UTF8.self))
    }
    if case .decided(let result) = normalizeASCII(bytes) { return result }
    return normalizeGeneral(String(decoding: bytes, as: UTF8.self))
  }

  /// The general path, for any text; ``normalize(_:)`` gives the same answers faster.
  func normalizeGeneral(_ raw: String) -> String? {
    guard let (hasPlus, digits) = Self.digits(of: raw) else { return nil }
    if hasPlus { return Self.international(digits) }
    if digits.hasPrefix("00") { return Self.international(digits.dropFirst(2)) }
    guard let plan else { return nil }
    for prefix in plan.internationalPrefixes where digits.hasPrefix(prefix) {
      // `8 10 …` only counts as dialling abroad when the rest is a real foreign number;
      // otherwise fall through to domestic reading.
      if let number = Self.international(digits.dropFirst(prefix.count)) { return number }
    }
    return Self.national(digits, plan: plan)
  }

  /// Whether a byte can begin a SIP or tel URI (`<`, `s`, `t`), so that most numbers skip the
  /// URI check.
  @inline(__always)
  static func mayStartURI(_ byte: UInt8) -> Bool {
    let lower = byte | 0x20
    return byte == UInt8(ascii: "<") || lower == UInt8(ascii: "s") || lower == UInt8(ascii: "t")
  }

  /// The number inside a SIP or tel URI, as PBXs send caller IDs: the user part of
  /// `sip:79161234567@pbx` or `<sips:+74951112233@host;user=phone>`, a `tel:` number without
  /// its parameters (with its `phone-context` prefix when the number is local:
  /// `tel:2403649003;phone-context=+1`). Nil when `raw` is no such URI.
  static func uriNumber(_ raw: String) -> String? {
    guard let first = raw.utf8.first(where: { $0 != UInt8(ascii: " ") }), mayStartURI(first)
    else { return nil }
    var text = Substring(raw.trimmedSpaces)
    if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }
    let lower = text.lowercased()
    if lower.hasPrefix("sip:") || lower.hasPrefix("sips:") {
      text = text[text.index(after: text.firstIndex(of: ":")!)...]
      if let at = text.firstIndex(of: "@") { text = text[..<at] }
      if let semicolon = text.firstIndex(of: ";") { text = text[..<semicolon] }
      return String(text)
    }
    guard lower.hasPrefix("tel:"), text.contains(";") else { return nil }
    let parts = text.dropFirst(4).split(separator: ";")
    guard var number = parts.first.map(String.init) else { return nil }
    if !number.hasPrefix("+"),
      let context = parts.dropFirst().first(where: { $0.lowercased().hasPrefix("phone-context=+") })
    {
      number = String(context.dropFirst("phone-context=".count)) + number
    }
    return number
  }

  /// Stand-in numbers carriers put in the caller ID of a withheld call (Twilio's "anonymous",
  /// "restricted", "unknown" and "blocked"), as digits.
  private static let standInNumbers: Set<String> = [
    "266696687", "86282452253", "7378742833", "2562533",
  ]

  /// Whether a caller-ID value means "number withheld" rather than a number.
  ///
  /// Recognises empty values, lone `+`/zeros, SIP URIs such as `sip:anonymous@anonymous.invalid`
  /// and the usual English and Russian words (`Anonymous`, `private`, `Скрытый номер`).
  public static func isAnonymous(_ raw: String) -> Bool {
    var text = raw.trimmedSpaces.lowercased()
    text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\"'<>"))
    for scheme in ["sips:", "sip:", "tel:"] where text.hasPrefix(scheme) {
      text = String(text.dropFirst(scheme.count))
    }
    if let at = text.firstIndex(of: "@") { text = String(text[..<at]) }
    if text.isEmpty { return true }
    if text.hasPrefix("+"), standInNumbers.contains(String(text.dropFirst())) { return true }
    // Some PBXs pad a withheld number with zeros instead of sending a word.
    if text.allSatisfy({ $0 == "0" || $0 == "+" || separators.contains($0) }) { return true }
    let words = text.split { !$0.isLetter }
    return words.contains { word in
      anonymousWords.contains(String(word)) || word.hasPrefix("скрыт") || word.hasPrefix("anonym")
    }
  }

  /// Reads a number written with an explicit international prefix (digits after `+`/`00`).
  private static func international(_ digits: some StringProtocol) -> String? {
    guard digits.count <= maximumDigits,
      let code = CountryDialingPlan.callingCode(prefixing: digits)
    else { return nil }
    let nationalNumber = digits.dropFirst(code.count)
    let plans = CountryDialingPlan.plans(forCallingCode: code)
    if plans.isEmpty {
      return fallbackDigitRange.contains(digits.count) ? "+" + digits : nil
    }
    if CountryDialingPlan.isValid(nationalNumber, callingCode: code) {
      return "+" + code + nationalNumber
    }
    // `+44 (0)20 …` and `+7 8 916 …` repeat the trunk prefix after the calling code; the
    // result is unambiguous because the unstripped form was already refused above.
    for trunk in plans.flatMap(\.trunkPrefixes) where nationalNumber.hasPrefix(trunk) {
      let stripped = nationalNumber.dropFirst(trunk.count)
      if CountryDialingPlan.isValid(stripped, callingCode: code) {
        return "+" + code + stripped
      }
    }
    return nil
  }

  /// Reads a number written without an international prefix, in the default country's style.
  private static func national(_ digits: String, plan: CountryDialingPlan) -> String? {
    let code = plan.callingCode
    for trunk in plan.trunkPrefixes where digits.hasPrefix(trunk) {
      let nationalNumber = digits.dropFirst(trunk.count)
      if CountryDialingPlan.isValid(nationalNumber, callingCode: code) {
        return "+" + code + nationalNumber
      }
    }
    if plan.allowsBareNationalNumber && CountryDialingPlan.isValid(digits, callingCode: code) {
      return "+" + code + digits
    }
    // The calling code typed without `+` (`7916…`, `375 29…`). Only safe when no domestic
    // reading of the same digits can exist: either the string is longer than any domestic
    // form, or the length is fixed and the digits do not start with a trunk prefix.
    guard digits.hasPrefix(code) else { return nil }
    let nationalNumber = digits.dropFirst(code.count)
    let longerThanDomestic = digits.count > plan.longestNationalForm
    let fixedLength =
      plan.nationalNumberLengths.count == 1
      && !plan.trunkPrefixes.contains { digits.hasPrefix($0) }
    guard longerThanDomestic || fixedLength,
      CountryDialingPlan.isValid(nationalNumber, callingCode: code)
    else { return nil }
    return "+" + code + nationalNumber
  }

  /// Splits raw input into "had a leading plus" and its digits, dropping formatting and a
  /// trailing extension; `nil` when anything else is present.
  private static func digits(of raw: String) -> (hasPlus: Bool, digits: String)? {
    var text = Substring(raw.trimmedSpaces.lowercased())
    if text.hasPrefix("tel:") { text = text.dropFirst("tel:".count) }
    var hasPlus = false
    var digits = ""
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      if let ascii = character.asciiValue, ascii >= UInt8(ascii: "0"), ascii <= UInt8(ascii: "9") {
        digits.append(character)
      } else if character == "+" {
        guard !hasPlus, digits.isEmpty else { return nil }
        hasPlus = true
      } else if !separators.contains(character) {
        guard !digits.isEmpty, isExtension(text[index...]) else { return nil }
        break
      }
      index = text.index(after: index)
    }
    guard !digits.isEmpty else { return nil }
    return (hasPlus, digits)
  }

  /// The extension written after a number (`+7 495 123-45-67 доб. 123` → `123`), or `nil`
  /// when there is none.
  public static func extensionDigits(_ raw: String) -> String? {
    let text = Substring(raw.trimmedSpaces.lowercased())
    var seenDigit = false
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      if let ascii = character.asciiValue, ascii >= UInt8(ascii: "0"), ascii <= UInt8(ascii: "9") {
        seenDigit = true
      } else if character != "+", !separators.contains(character) {
        let tail = markedTail(text[index...])
        guard seenDigit, isExtension(text[index...]),
          let marker = extensionMarkers.first(where: { tail.hasPrefix($0) })
        else { return nil }
        return String(tail.dropFirst(marker.count).filter { $0.isASCII && $0.isNumber })
      }
      index = text.index(after: index)
    }
    return nil
  }

  /// `tail` from its extension marker: past a comma or an opening bracket that may set the
  /// extension off (`…-67, доб. 123`, `…-67 (доб. 123)`).
  private static func markedTail(_ tail: Substring) -> Substring {
    tail.drop { ",;( \u{00A0}".contains($0) }
  }

  /// Whether `tail` is an extension marker followed only by the extension digits (and the
  /// bracket closing one opened before the marker).
  private static func isExtension(_ tail: Substring) -> Bool {
    let marked = markedTail(tail)
    guard let marker = extensionMarkers.first(where: { marked.hasPrefix($0) }) else {
      return false
    }
    var number = Substring(
      marked.dropFirst(marker.count)
        .drop { " .:=#№\u{00A0}".contains($0) }
        .trimmingCharacters(in: .whitespaces))
    // The bracket was read as a separator before the marker (`…-67 (доб. 123)`).
    if number.hasSuffix(")") {
      number = Substring(number.dropLast().trimmingCharacters(in: .whitespaces))
    }
    return (1...maximumExtensionDigits).contains(number.count)
      && number.allSatisfy { $0.isASCII && $0.isNumber }
  }
}
