import Foundation

/// The parts of a country's numbering plan needed to turn a locally written phone number into
/// E.164 without guessing.
///
/// The data is deliberately coarse (lengths and leading digits, not full libphonenumber
/// metadata): it is enough to reject typos and junk while keeping the table reviewable.
public struct CountryDialingPlan: Sendable, Hashable {
  /// ISO 3166-1 alpha-2 code, upper-case.
  public let isoCode: String
  /// Country calling code without the `+`.
  public let callingCode: String
  /// Allowed lengths of the national significant number (what follows the calling code).
  public let nationalNumberLengths: [Int]
  /// Prefixes dialled before the national number inside the country, longest first.
  public let trunkPrefixes: [String]
  /// Allowed beginnings of the national significant number; empty means any.
  public let leadingDigits: [String]
  /// Whether people write the national number without any trunk prefix; true where there is
  /// no trunk prefix at all or where dropping it is common (RU `916…`, US `212…`).
  public let allowsBareNationalNumber: Bool
  /// Country-specific prefixes for dialling abroad, besides the near-universal `00`.
  public let internationalPrefixes: [String]
  /// Whether national numbers may begin with `0`; only Italy keeps the zero of its area codes.
  public let allowsLeadingZero: Bool

  private init(
    _ isoCode: String, _ callingCode: String, _ lengths: [Int], trunk: [String] = [],
    leading: [String] = [], bare: Bool? = nil, international: [String] = [],
    leadingZero: Bool = false
  ) {
    self.isoCode = isoCode
    self.callingCode = callingCode
    self.nationalNumberLengths = lengths
    self.trunkPrefixes = trunk.sorted { $0.count > $1.count }
    self.leadingDigits = leading
    self.allowsBareNationalNumber = bare ?? trunk.isEmpty
    self.internationalPrefixes = international
    self.allowsLeadingZero = leadingZero
  }

  /// Looks up a plan by ISO 3166-1 alpha-2 code, case-insensitively.
  public static func plan(forCountry isoCode: String) -> CountryDialingPlan? {
    byCountry[isoCode.uppercased()]
  }

  /// All plans sharing a calling code (`+7` is both RU and KZ, `+1` is US and CA).
  public static func plans(forCallingCode callingCode: String) -> [CountryDialingPlan] {
    byCallingCode[callingCode] ?? []
  }

  /// The assigned calling code that `digits` starts with, if any.
  ///
  /// Calling codes form a prefix-free set, so at most one length can match.
  public static func callingCode(prefixing digits: some StringProtocol) -> String? {
    for length in 1...3 where digits.count > length {
      let prefix = String(digits.prefix(length))
      if assignedCallingCodes.contains(prefix) { return prefix }
    }
    return nil
  }

  /// Whether `nationalNumber` is a well-formed national significant number for this plan.
  public func accepts(_ nationalNumber: some StringProtocol) -> Bool {
    guard nationalNumberLengths.contains(nationalNumber.count),
      nationalNumber.allSatisfy({ $0.isASCII && $0.isNumber })
    else { return false }
    if !allowsLeadingZero && nationalNumber.first == "0" { return false }
    return leadingDigits.isEmpty || leadingDigits.contains { nationalNumber.hasPrefix($0) }
  }

  /// Whether any country behind `callingCode` accepts `nationalNumber`.
  ///
  /// Shared calling codes form one numbering space (a KZ subscriber dials RU numbers as
  /// domestic ones), so the union is the right test.
  static func isValid(_ nationalNumber: some StringProtocol, callingCode: String) -> Bool {
    plans(forCallingCode: callingCode).contains { $0.accepts(nationalNumber) }
  }

  /// Number of digits in the longest domestic way to write a number in this country.
  var longestNationalForm: Int {
    (nationalNumberLengths.max() ?? 0) + (trunkPrefixes.map(\.count).max() ?? 0)
  }

  /// Plans for the countries leads most often come from, keyed by `isoCode` through
  /// `plan(forCountry:)`; calling codes outside this list fall back to a plain length check.
  public static let all: [CountryDialingPlan] = [
    // CIS and the Baltics. Former-USSR habits persist: trunk `8`, and `8 10` to dial abroad.
    .init(
      "RU", "7", [10], trunk: ["8"],
      leading: ["3", "4", "80", "81", "82", "83", "84", "85", "86", "87", "9"], bare: true,
      international: ["810"]),
    .init("KZ", "7", [10], trunk: ["8"], leading: ["6", "7"], bare: true, international: ["810"]),
    // Belarusians write both `8 029…` (official) and `(029)…` (everyday).
    .init("BY", "375", [9], trunk: ["80", "0"], bare: true, international: ["810"]),
    // Ukraine's old `8 0XX` long-distance form is still seen next to the current `0XX`.
    .init("UA", "380", [9], trunk: ["0", "80"]),
    .init("UZ", "998", [9], trunk: ["8"], bare: true),
    .init("KG", "996", [9], trunk: ["0"]),
    .init("TJ", "992", [9], trunk: ["8"], bare: true),
    .init("TM", "993", [8], trunk: ["8"], bare: true),
    .init("AM", "374", [8], trunk: ["0"]),
    .init("AZ", "994", [9], trunk: ["0"]),
    .init("GE", "995", [9], trunk: ["0"]),
    .init("MD", "373", [8], trunk: ["0"]),
    .init("LV", "371", [8]),
    .init("LT", "370", [8], trunk: ["8", "0"]),
    .init("EE", "372", [7, 8]),
    // Europe.
    .init("DE", "49", Array(6...13), trunk: ["0"]),
    .init("GB", "44", [9, 10], trunk: ["0"]),
    .init("FR", "33", [9], trunk: ["0"]),
    .init("IT", "39", Array(6...11), leadingZero: true),
    .init("ES", "34", [9]),
    .init("PT", "351", [9]),
    .init("NL", "31", [9], trunk: ["0"]),
    .init("BE", "32", [8, 9], trunk: ["0"]),
    .init("CH", "41", [9], trunk: ["0"]),
    .init("AT", "43", Array(5...13), trunk: ["0"]),
    .init("PL", "48", [9]),
    .init("CZ", "420", [9]),
    .init("SK", "421", [9], trunk: ["0"]),
    .init("HU", "36", [8, 9], trunk: ["06"]),
    .init("RO", "40", [9], trunk: ["0"]),
    .init("BG", "359", Array(6...9), trunk: ["0"]),
    .init("GR", "30", [10]),
    .init("SE", "46", Array(7...10), trunk: ["0"]),
    .init("NO", "47", [8]),
    .init("DK", "45", [8]),
    .init("FI", "358", Array(5...12), trunk: ["0"]),
    .init("IE", "353", Array(7...10), trunk: ["0"]),
    // North America shares one plan; area codes never start with 0 or 1.
    .init(
      "US", "1", [10], trunk: ["1"], leading: ["2", "3", "4", "5", "6", "7", "8", "9"],
      bare: true, international: ["011"]),
    .init(
      "CA", "1", [10], trunk: ["1"], leading: ["2", "3", "4", "5", "6", "7", "8", "9"],
      bare: true, international: ["011"]),
    .init("MX", "52", [10]),
    .init("BR", "55", [10, 11], trunk: ["0"]),
    // Asia and the Middle East.
    .init("CN", "86", [10, 11], trunk: ["0"]),
    .init("TR", "90", [10], trunk: ["0"]),
    .init("IN", "91", [10], trunk: ["0"]),
    .init("IL", "972", [8, 9], trunk: ["0"]),
    .init("AE", "971", [8, 9], trunk: ["0"]),
    .init("SA", "966", [8, 9], trunk: ["0"]),
    .init("JP", "81", [9, 10], trunk: ["0"]),
    .init("KR", "82", Array(8...10), trunk: ["0"]),
    .init("TH", "66", [8, 9], trunk: ["0"]),
    .init("AU", "61", [9], trunk: ["0"]),
  ]

  private static let byCountry: [String: CountryDialingPlan] = Dictionary(
    uniqueKeysWithValues: all.map { ($0.isoCode, $0) })

  private static let byCallingCode: [String: [CountryDialingPlan]] = Dictionary(
    grouping: all, by: \.callingCode)

  /// Every calling code ITU-T E.164 currently assigns, so that numbers from countries outside
  /// `all` can still be accepted on length alone while unassigned codes are refused.
  static let assignedCallingCodes: Set<String> = Set(
    """
    1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58
    60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98
    211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235
    236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256
    257 258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299
    350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 379 380
    381 382 383 385 386 387 389 420 421 423
    500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599
    670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692
    800 808 850 852 853 855 856 870 880 881 882 883 886 888
    960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 979
    992 993 994 995 996 998
    """.split(whereSeparator: \.isWhitespace).map(String.init))
}
