import Foundation
import Testing

@testable import InletCore

/// The byte-level fast paths of the normalisers must answer exactly as the general `String`
/// paths do: both run over tables of tricky inputs and over random ones built from the pieces
/// that make the rules branch.
@Suite("Normaliser fast paths")
struct NormalizerFastPathTests {
  /// SplitMix64: deterministic, so a failure reproduces.
  struct Generator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let trickyEmails = [
    "", " ", "   ", "a@b.c", "a@b.cd", "A@B.CD", " Ivan.Petrov@Example.RU ",
    "ivan.petrov@example.ru",
    "info@xn--e1afmkfd.xn--p1ai", "Info@XN--E1AFMKFD.XN--P1AI", "info@Xn--p1ai.ru",
    "info@xn-p1ai.ru", "info@xnn--p1ai.ru", "info@ex.xn--", "ИНФО@Пример.РФ", "<John.Doe@Mail.com>",
    "mailto:Sales@Firm.de", "<mailto:Sales@Firm.de?subject=Hello>", "MAILTO:a@b.ru",
    "\tuser+tag@sub.example.co.uk\n", "o'brien@shop-1.example.com", "plainaddress",
    "@example.com", "user@", "user@localhost", "a@b@example.com", "ivan petrov@example.ru",
    "user@exa mple.ru", "user@.example.com", "user@example.com.", "user@exa..mple.com",
    "user@-example.com", "user@example-.com", "user@ex-ample.com", "user@192.168.0.1",
    "user@1.2", "user@a.1-2", "user@a.1a", "user@a.a1", "user@a.-1", "user@xn--zz.com",
    "<user@example.com", "user@example.com>", "\"quoted\"@example.com", "mailto:", "a(b)@c.ru",
    "a[b]@c.ru", "a,b@c.ru", "a;b@c.ru", "a:b@c.ru", "a\\b@c.ru", "a?b@c.ru",
    "a!#$%&*/=^`{|}~@c.ru",
    "user@exam_ple.com", "user@exam+ple.com", "user@EXAMPLE.COM", "user@example.c0m",
    "user\u{00A0}@example.com", "\u{00A0}user@example.com", "user@example.com\u{00A0}",
    "user@example.com\u{200B}", "us\u{0301}er@example.com", "user@exa\u{0301}mple.com",
    "user@example.com\r\n", "\r\nuser@example.com", "us\ter@example.com", "user@example.com\u{7F}",
    "\u{1F}user@example.com", "user@пример.рф", "user@münchen.de", "user@MÜNCHEN.de",
    "İ@example.com", "K@example.com", "ǅ@example.com", "user@e.x.a.m.p.l.e", "a@b", "a@.b", "a@b.",
    String(repeating: "a", count: 243) + "@example.com",
    String(repeating: "a", count: 242) + "@example.com",
    String(repeating: "A", count: 242) + "@Example.com",
    " " + String(repeating: "a", count: 242) + "@example.com ",
  ]

  static let trickyPhones = [
    "", " ", "+", "++7", "0", "00", "000", "8 (916) 123-45-67", "+7 916 1234567", "79161234567",
    "9161234567", "+7(916)123-45-67 доб. 12", "tel:+7-916-123-45-67", "TEL:+7 916 123 45 67",
    "tel: 8 916 123 45 67", "tel:", "8.916.123.45.67 ext. 305", "+7 916 123 45 67 x12",
    "+7 916 123 45 67#12", "+7 916 123 45 67 #", "+7 8 916 123 45 67", "8 800 555-35-35",
    "8-812-123-45-67", "(495) 123-45-67", "+7 701 123 45 67", "+44 20 7946 0958",
    "+44 (0)20 7946 0958", "+375 29 123-45-67", "+380 50 123 45 67", "00 49 30 12345678",
    "8 10 44 20 7946 0958", "810 7 916 123 45 67", "+1 (212) 555-0123", "+234 803 123 4567",
    "abc", "123", "+7 916 123", "12345678901234567", "00000", "anonymous", "+7 916 123 45 67 89",
    "+7 016 123 45 67", "8 916 123 45 6", "1234567890", "375291234567", "+999 123 45 67",
    "+79161234567, +79161234568", "89161234567 call me", "+7 916 +123 45 67", "тел. 89161234567",
    "+7 916 123 45 67 доб. 123456789", "+7\u{00A0}916\u{00A0}123\u{00A0}45\u{00A0}67",
    "+7\t916\t1234567", "8\u{2013}916\u{2013}1234567", " +7 916 1234567 ", "\t+79161234567\n",
    "+7 916 123 45 67\r\n", "+7 916 123 45 6\u{0301}7", "\u{0661}\u{0662}\u{0663}",
    "+7 916 123 45 67 x",
    "+7 916 123 45 67 ext", "+7 916 123 45 67;ext=12", "+7 916 123 45 67 вн. 12", "(029) 123-45-67",
    "8 029 123-45-67", "29 123 45 67", "375 29 123 45 67", "050 123 45 67", "8 050 123 45 67",
    "90 123 45 67", "030 12345678", "030/1234567", "0151 12345678", "+49 (0)30 12345678",
    "020 7946 0958", "07700 900123", "44 20 7946 0958", "(212) 555-0123", "1-212-555-0123",
    "011 44 20 7946 0958", "06 12 34 56 78", "06 1234 5678", "501234567", "(012) 555-0123",
    "555-0123", "4930123456", "0207946095812", "89161234567", "+1", "+12", "+123", "+1234",
    "+800 1234 5678", "+882 1234567890", "+42 1234567", "+0 123 456 789", "0012125550123",
    "001", "0", "7", "77", "+7", "+70", "8 (8 916) 1234567", "((916)) 123--45..67",
    "+7 (916) 123-45-67 /", "8 916 123 45 67 ДОБ 12", "+7 916 123 45 67 EXT. 12",
    String(repeating: "9", count: 30), "+" + String(repeating: "1", count: 25),
  ]

  static let countries = CountryDialingPlan.all.map(\.isoCode) + ["ZZ", "ru"]

  @Test("e-mail: the fast path answers as the general path on tricky input")
  func emailTable() {
    for raw in Self.trickyEmails { Self.expectSameEmail(raw) }
  }

  @Test("e-mail: the fast path answers as the general path on random input")
  func emailRandom() {
    var random = Generator(state: 7)
    let pieces = [
      "a", "Z", "q", "0", "9", ".", ".", "-", "_", "+", "@", "@", "xn--", "XN--", "p1ai", " ",
      "<", ">", "mailto:", "?", "\"", "é", "пример", "\t", "..", "com", "ru", "1", "'", "\u{00A0}",
      "x", "n", "-", "Co", "\u{0301}", "\r\n", ",", ":", "!", "ß", "ǅ",
    ]
    let domains = ["example.com", "Firm1.RU", "xn--p1ai", "a-b.c-d.ru", "1.2", "mail.ru", "x.y"]
    for _ in 0..<60_000 {
      var raw = ""
      for _ in 0..<Int.random(in: 0...10, using: &random) {
        raw += pieces.randomElement(using: &random)!
      }
      Self.expectSameEmail(raw)
      // Mostly well-formed shapes with one random piece spliced in, so the fast path also
      // decides often.
      var shaped = Array("user.Name" + "@" + domains.randomElement(using: &random)!)
      let position = Int.random(in: 0...shaped.count, using: &random)
      shaped.insert(contentsOf: pieces.randomElement(using: &random)!, at: position)
      Self.expectSameEmail(String(shaped))
    }
  }

  @Test("phone: the fast path answers as the general path on tricky input, in every country")
  func phoneTable() {
    for country in Self.countries {
      let normalizer = PhoneNormalizer(defaultCountry: country)
      for raw in Self.trickyPhones { Self.expectSamePhone(raw, normalizer) }
    }
  }

  @Test("phone: the fast path answers as the general path on random input, in every country")
  func phoneRandom() {
    var random = Generator(state: 11)
    let separators = [" ", "-", ".", "(", ")", "/", "", "", "", ""]
    let junk = [
      "+", "tel:", "x", "ext", "доб.", "#", "\t", "\u{00A0}", "a", "0", "00", "810", "011", ",",
    ]
    let starts = ["", "", "+", "8", "0", "00", "810", "011", "+7", "+375", "+44", "+1", "7", "80"]
    for country in Self.countries {
      let normalizer = PhoneNormalizer(defaultCountry: country)
      for _ in 0..<2_000 {
        var raw = starts.randomElement(using: &random)!
        for _ in 0..<Int.random(in: 0...16, using: &random) {
          raw += String(Int.random(in: 0...9, using: &random))
          raw += separators.randomElement(using: &random)!
        }
        if Int.random(in: 0..<8, using: &random) == 0 {
          var characters = Array(raw)
          let position = Int.random(in: 0...characters.count, using: &random)
          characters.insert(contentsOf: junk.randomElement(using: &random)!, at: position)
          raw = String(characters)
        }
        Self.expectSamePhone(raw, normalizer)
      }
    }
  }

  @Test("domains, messenger ids and INNs: the fast paths answer as the general paths")
  func directoryValues() {
    var random = Generator(state: 13)
    let domains = [
      "", " ", "@", "www.", "@www.", "firm.ru", " Firm.RU ", "@Firm.ru", "WWW.firm.ru",
      "www.www.firm.ru", "@@firm.ru", "www.ru", "@ firm.ru", "http://firm.ru", "firm",
      "xn--e1afmkfd.xn--p1ai", "пример.рф", "firm.ru/", "firm..ru", "-firm.ru", "firm.123",
      "Wwwfirm.ru", "www.-firm.ru", "\tfirm.ru", "firm.ru\u{00A0}", "fi rm.ru",
      String(repeating: "a", count: 250) + ".ru", String(repeating: "a", count: 249) + ".ru",
    ]
    let messengers = [
      "", ":", "telegram:1", "Telegram: 1", " TELEGRAM : @Ivan ", "telegram", ":1", "telegram:",
      "wa:+7 916", "a:b:c", "тг:1", "telegram:Иван", "\ttelegram:1", "telegram:1\u{00A0}",
      "tele gram:1", "skype:live:.cid.1",
    ]
    let inns = [
      "", "7707083893", "7707083894", "770708389", "500100732259", "500100732258", "0000000000",
      "0070708389", " 7707083893", "7707 083 893", "77070838931", "+7707083893",
      "\u{FF17}\u{FF17}\u{FF10}\u{FF17}\u{FF10}\u{FF18}\u{FF13}\u{FF18}\u{FF19}\u{FF13}",
    ]
    var generated: [String] = []
    let pieces = [
      "a", "Z", "1", ".", "-", "@", "www.", "WWW.", " ", ":", "xn--", "é", "\t", "ru", "/",
      "https://", "?",
    ]
    for _ in 0..<20_000 {
      var text = ""
      for _ in 0..<Int.random(in: 0...8, using: &random) {
        text += pieces.randomElement(using: &random)!
      }
      generated.append(text)
    }
    for raw in domains + generated {
      #expect(
        DirectoryNormalizer.domain(raw) == DirectoryNormalizer.domainGeneral(raw),
        "\(raw.debugDescription)")
    }
    for raw in messengers + generated {
      #expect(
        DirectoryNormalizer.messenger(raw) == DirectoryNormalizer.messengerGeneral(raw),
        "\(raw.debugDescription)")
    }
    for raw in inns {
      let digits = raw.filter { !$0.isWhitespace }
      let plausible =
        (digits.count == 10 || digits.count == 12)
        && digits.allSatisfy { $0.isASCII && $0.isNumber }
      #expect(INN.normalize(raw) == (plausible ? digits : nil), "\(raw.debugDescription)")
    }
    for n in 0..<2_000 {
      // Valid and invalid check digits alike.
      let organisation = String(7_707_083_800 + n)
      #expect(INN.isValid(organisation) == Self.referenceIsValid(organisation), "\(organisation)")
      let person = "5001007322" + String(format: "%02d", n % 100)
      #expect(INN.isValid(person) == Self.referenceIsValid(person), "\(person)")
    }
    for raw in inns { #expect(INN.isValid(raw) == Self.referenceIsValid(raw)) }
  }

  /// The check-digit rule written out independently.
  static func referenceIsValid(_ digits: String) -> Bool {
    guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), !digits.hasPrefix("00") else {
      return false
    }
    let values = digits.compactMap(\.wholeNumberValue)
    func check(_ weights: [Int]) -> Int {
      zip(values, weights).map { $0 * $1 }.reduce(0, +) % 11 % 10
    }
    switch values.count {
    case 10: return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) == values[9]
    case 12:
      return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == values[10]
        && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == values[11]
    default: return false
    }
  }

  @Test("list cells split on bytes as on characters")
  func listCells() {
    var random = Generator(state: 17)
    let pieces = [
      "|", "|", "a", "b@c.ru", " ", "\t", "\u{00A0}", "\u{0301}", "é", "Иван", "\r\n", "\n",
      "||", " | ", "\u{200D}", "\u{0600}", "8 (916) 123-45-67",
    ]
    for _ in 0..<20_000 {
      var cell = ""
      for _ in 0..<Int.random(in: 0...8, using: &random) {
        cell += pieces.randomElement(using: &random)!
      }
      let expected = cell.split(separator: "|").map(\.trimmedSpaces).filter { !$0.isEmpty }
      #expect(DirectoryRowMapper.list(cell) == expected, "\(cell.debugDescription)")
    }
  }

  @Test("the fast paths decide the common shapes themselves")
  func fastPathsDecide() {
    let phone = PhoneNormalizer()
    for raw in ["8 (916) 123-45-67", "+7 916 1234567", "79161234567", "+44 20 7946 0958"] {
      var text = raw
      #expect(text.withUTF8(phone.normalizeASCII) != .undecided, "\(raw)")
    }
    for raw in ["Ivan.Petrov@Example.RU", " info@firm1.ru ", "p1@mail.ru"] {
      var text = raw
      #expect(text.withUTF8(EmailNormalizer.normalizeASCII) != .undecided, "\(raw)")
    }
  }

  static func expectSameEmail(_ raw: String) {
    let general = EmailNormalizer.normalizeGeneral(raw)
    #expect(EmailNormalizer.normalize(raw) == general, "\(raw.debugDescription)")
    var text = raw
    let bytes = text.withUTF8 { EmailNormalizer.normalize(utf8: $0) }
    #expect(bytes == general, "\(raw.debugDescription)")
  }

  static func expectSamePhone(_ raw: String, _ normalizer: PhoneNormalizer) {
    let general = normalizer.normalizeGeneral(raw)
    let country = normalizer.defaultCountry
    #expect(normalizer.normalize(raw) == general, "\(country) \(raw.debugDescription)")
    var text = raw
    let bytes = text.withUTF8 { normalizer.normalize(utf8: $0) }
    #expect(bytes == general, "\(country) \(raw.debugDescription)")
  }
}
