/// ``CountryDialingPlan`` as byte tables, for the fast path of ``PhoneNormalizer``: calling codes
/// are looked up by their digits instead of as `String`s in a `Set`.
struct DialingTables: Sendable {
  /// What the fast path needs of one plan to test a national number.
  struct Plan: Sendable {
    /// Bit `n` is set when `n` digits is an allowed national number length.
    var lengths: UInt64
    /// ASCII digits; empty means any beginning.
    var leadingDigits: [[UInt8]]
    var allowsLeadingZero: Bool
    /// ASCII digits, longest first (as in the plan).
    var trunkPrefixes: [[UInt8]]

    init(_ plan: CountryDialingPlan) {
      lengths = plan.nationalNumberLengths.reduce(0) { mask, length in
        length < 64 ? mask | (1 << UInt64(length)) : mask
      }
      leadingDigits = plan.leadingDigits.map { Array($0.utf8) }
      allowsLeadingZero = plan.allowsLeadingZero
      trunkPrefixes = plan.trunkPrefixes.map { Array($0.utf8) }
    }

    /// ``CountryDialingPlan/accepts(_:)`` of ASCII digits.
    @inline(__always)
    func accepts(_ number: UnsafeBufferPointer<UInt8>) -> Bool {
      guard number.count < 64, lengths & (1 << UInt64(number.count)) != 0 else { return false }
      if !allowsLeadingZero && number[0] == UInt8(ascii: "0") { return false }
      return leadingDigits.isEmpty || leadingDigits.contains { number.starts(with: $0) }
    }
  }

  /// One calling code: whether it is assigned, and the plans behind it.
  struct CallingCode: Sendable {
    var assigned = false
    var plans: [Plan] = []
    /// The trunk prefixes of all `plans`, in order (`plans.flatMap(\.trunkPrefixes)`).
    var trunkPrefixes: [[UInt8]] = []

    /// ``CountryDialingPlan/isValid(_:callingCode:)``.
    @inline(__always)
    func isValid(_ number: UnsafeBufferPointer<UInt8>) -> Bool {
      plans.contains { $0.accepts(number) }
    }
  }

  /// Indexed by ``slot(_:)``: 10 one-digit, 100 two-digit and 1,000 three-digit codes.
  let codes: [CallingCode]

  static let shared = DialingTables()

  private init() {
    var codes = [CallingCode](repeating: CallingCode(), count: 1110)
    for code in CountryDialingPlan.assignedCallingCodes {
      codes[Self.slot(Array(code.utf8))].assigned = true
    }
    for plan in CountryDialingPlan.all {
      let slot = Self.slot(Array(plan.callingCode.utf8))
      codes[slot].plans.append(Plan(plan))
      codes[slot].trunkPrefixes += plan.trunkPrefixes.map { Array($0.utf8) }
    }
    self.codes = codes
  }

  /// The table slot of a one- to three-digit code in ASCII digits.
  static func slot(_ digits: some Collection<UInt8>) -> Int {
    let value = digits.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
    switch digits.count {
    case 1: return value
    case 2: return 10 + value
    default: return 110 + value
    }
  }

  /// ``CountryDialingPlan/callingCode(prefixing:)``: the length of the assigned calling code
  /// `digits` starts with, or 0.
  @inline(__always)
  func callingCodeLength(_ digits: UnsafeBufferPointer<UInt8>) -> Int {
    var value = 0
    for length in 1...3 where digits.count > length {
      value = value * 10 + Int(digits[length - 1] &- 0x30)
      let slot = length == 1 ? value : length == 2 ? 10 + value : 110 + value
      if codes[slot].assigned { return length }
    }
    return 0
  }
}

extension PhoneNormalizer {
  /// What the fast path needs of the default country's plan.
  struct NationalTables: Sendable {
    let callingCode: [UInt8]
    let slot: Int
    let trunkPrefixes: [[UInt8]]
    let allowsBareNationalNumber: Bool
    let internationalPrefixes: [[UInt8]]
    let longestNationalForm: Int
    let hasOneLength: Bool

    init(_ plan: CountryDialingPlan) {
      callingCode = Array(plan.callingCode.utf8)
      slot = DialingTables.slot(callingCode)
      trunkPrefixes = plan.trunkPrefixes.map { Array($0.utf8) }
      allowsBareNationalNumber = plan.allowsBareNationalNumber
      internationalPrefixes = plan.internationalPrefixes.map { Array($0.utf8) }
      longestNationalForm = plan.longestNationalForm
      hasOneLength = plan.nationalNumberLengths.count == 1
    }
  }

  /// The longest digit run the fast path reads; longer input goes to the general path.
  private static let fastPathDigits = 24

  /// The fast path of ``normalize(_:)`` for printable ASCII input (`8 (916) 123-45-67`,
  /// `+7 916 1234567`): the same rules on bytes. Input with any other byte, or with anything
  /// after the digits (an extension, a word), is left undecided for the general path.
  func normalizeASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> FastPathResult {
    for byte in bytes where byte < ASCIIBytes.space || byte > 0x7E { return .undecided }
    var range = ASCIIBytes.trimmingSpaces(bytes, 0..<bytes.count)
    if range.count >= 4 && ASCIIBytes.lowercased(bytes[range.lowerBound]) == UInt8(ascii: "t")
      && ASCIIBytes.lowercased(bytes[range.lowerBound + 1]) == UInt8(ascii: "e")
      && ASCIIBytes.lowercased(bytes[range.lowerBound + 2]) == UInt8(ascii: "l")
      && bytes[range.lowerBound + 3] == UInt8(ascii: ":")
    {
      range = range.lowerBound + 4..<range.upperBound
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.fastPathDigits) {
      buffer -> FastPathResult in
      var count = 0
      var hasPlus = false
      for index in range {
        let byte = bytes[index]
        if ASCIIBytes.isDigit(byte) {
          guard count < Self.fastPathDigits else { return .undecided }
          buffer[count] = byte
          count += 1
        } else if byte == UInt8(ascii: "+") {
          guard !hasPlus, count == 0 else { return .decided(nil) }
          hasPlus = true
        } else if !Self.isASCIISeparator(byte) {
          // Without digits before it nothing can be an extension; with, the general path
          // reads the tail.
          return count == 0 ? .decided(nil) : .undecided
        }
      }
      guard count > 0 else { return .decided(nil) }
      let digits = UnsafeBufferPointer(rebasing: buffer[0..<count])
      return .decided(normalizeDigits(digits, hasPlus: hasPlus))
    }
  }

  /// The ASCII characters of `separators` (the tab is not printable, so not seen here).
  @inline(__always)
  private static func isASCIISeparator(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
      UInt8(ascii: ")"), UInt8(ascii: "/"):
      return true
    default:
      return false
    }
  }

  /// ``normalize(_:)`` after `digits(of:)`, on ASCII digits.
  private func normalizeDigits(_ digits: UnsafeBufferPointer<UInt8>, hasPlus: Bool) -> String? {
    if hasPlus { return Self.international(digits) }
    if digits.count >= 2 && digits[0] == UInt8(ascii: "0") && digits[1] == UInt8(ascii: "0") {
      return Self.international(UnsafeBufferPointer(rebasing: digits[2...]))
    }
    guard let national = nationalTables else { return nil }
    for prefix in national.internationalPrefixes where digits.starts(with: prefix) {
      let rest = UnsafeBufferPointer(rebasing: digits[prefix.count...])
      if let number = Self.international(rest) { return number }
    }
    return Self.national(digits, tables: national)
  }

  /// `international(_:)` on ASCII digits.
  private static func international(_ digits: UnsafeBufferPointer<UInt8>) -> String? {
    let tables = DialingTables.shared
    guard digits.count <= maximumDigits else { return nil }
    let codeLength = tables.callingCodeLength(digits)
    guard codeLength > 0 else { return nil }
    let code = tables.codes[DialingTables.slot(digits[0..<codeLength])]
    let nationalNumber = UnsafeBufferPointer(rebasing: digits[codeLength...])
    if code.plans.isEmpty {
      // `+` and all the digits, as the general path writes it.
      return fallbackDigitRange.contains(digits.count)
        ? e164(digits[0..<codeLength], nationalNumber) : nil
    }
    if code.isValid(nationalNumber) { return e164(digits[0..<codeLength], nationalNumber) }
    for trunk in code.trunkPrefixes where nationalNumber.starts(with: trunk) {
      let stripped = UnsafeBufferPointer(rebasing: nationalNumber[trunk.count...])
      if code.isValid(stripped) { return e164(digits[0..<codeLength], stripped) }
    }
    return nil
  }

  /// `national(_:plan:)` on ASCII digits.
  private static func national(_ digits: UnsafeBufferPointer<UInt8>, tables: NationalTables)
    -> String?
  {
    let code = DialingTables.shared.codes[tables.slot]
    for trunk in tables.trunkPrefixes where digits.starts(with: trunk) {
      let nationalNumber = UnsafeBufferPointer(rebasing: digits[trunk.count...])
      if code.isValid(nationalNumber) { return e164(tables.callingCode, nationalNumber) }
    }
    if tables.allowsBareNationalNumber && code.isValid(digits) {
      return e164(tables.callingCode, digits)
    }
    guard digits.starts(with: tables.callingCode) else { return nil }
    let nationalNumber = UnsafeBufferPointer(rebasing: digits[tables.callingCode.count...])
    let longerThanDomestic = digits.count > tables.longestNationalForm
    let fixedLength =
      tables.hasOneLength && !tables.trunkPrefixes.contains { digits.starts(with: $0) }
    guard longerThanDomestic || fixedLength, code.isValid(nationalNumber) else { return nil }
    return e164(tables.callingCode, nationalNumber)
  }

  /// `+`, the calling code and the national number.
  private static func e164(
    _ callingCode: some Collection<UInt8>, _ nationalNumber: UnsafeBufferPointer<UInt8>
  ) -> String {
    String(unsafeUninitializedCapacity: 1 + callingCode.count + nationalNumber.count) { out in
      out[0] = UInt8(ascii: "+")
      var index = 1
      for byte in callingCode {
        out[index] = byte
        index += 1
      }
      for byte in nationalNumber {
        out[index] = byte
        index += 1
      }
      return index
    }
  }
}
