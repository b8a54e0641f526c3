import Testing

@testable import InletCore

struct EmailNormalizerTests {
  @Test(arguments: [
    (" Ivan.Petrov@Example.RU ", "ivan.petrov@example.ru"),
    ("info@xn--e1afmkfd.xn--p1ai", "info@пример.рф"),
    ("ИНФО@Пример.РФ", "инфо@пример.рф"),
    ("Info@XN--E1AFMKFD.XN--P1AI", "info@пример.рф"),
    // The Cyrillic look-alike of "apple" decodes faithfully; spotting homographs is not our job.
    ("info@xn--80ak6aa92e.com", "info@\u{430}\u{440}\u{440}\u{4CF}\u{435}.com"),
    ("anna@xn--mnchen-3ya.de", "anna@münchen.de"),
    ("<John.Doe@Mail.com>", "john.doe@mail.com"),
    ("mailto:Sales@Firm.de", "sales@firm.de"),
    ("<mailto:Sales@Firm.de?subject=Hello>", "sales@firm.de"),
    ("\tuser+tag@sub.example.co.uk\n", "user+tag@sub.example.co.uk"),
    ("o'brien@shop-1.example.com", "o'brien@shop-1.example.com"),
  ])
  func normalizesPlausibleAddresses(raw: String, expected: String) {
    #expect(EmailNormalizer.normalize(raw) == expected)
  }

  @Test(arguments: [
    "",
    "   ",
    "plainaddress",
    "@example.com",
    "user@",
    "user@localhost",
    "a@b@example.com",
    "ivan petrov@example.ru",
    "user@exa mple.ru",
    "user@.example.com",
    "user@example.com.",
    "user@exa..mple.com",
    "user@-example.com",
    "user@192.168.0.1",
    "user@xn--zz.com",
    "<user@example.com",
    "\"quoted\"@example.com",
    "mailto:",
    String(repeating: "a", count: 243) + "@example.com",
  ])
  func rejectsImplausibleInput(raw: String) {
    #expect(EmailNormalizer.normalize(raw) == nil)
  }

  @Test func acceptsAddressAtLengthLimit() {
    let address = String(repeating: "a", count: 242) + "@example.com"
    #expect(address.count == 254)
    #expect(EmailNormalizer.normalize(address) == address)
  }

  // Samples (except the first three) come from RFC 3492 section 7.1.
  @Test(arguments: [
    ("xn--e1afmkfd", "пример"),
    ("XN--E1AFMKFD", "пример"),
    ("p1ai", "рф"),
    ("mnchen-3ya", "münchen"),
    ("bcher-kva", "bücher"),
    ("ihqwcrb4cv8a8dqg056pqjye", "他们为什么不说中文"),
    ("3B-ww4c5e180e575a65lsy2b", "3年B組金八先生"),
    ("-> $1.00 <--", "-> $1.00 <-"),
    ("egbpdaj6bu4bxfgehfvwxn", "ليهمابتكلموشعربي؟"),
  ])
  func decodesPunycode(encoded: String, expected: String) {
    #expect(Punycode.decode(encoded) == expected)
  }

  @Test(arguments: ["xn--zz", "пример", "abc!def", "99999999999999999"])
  func rejectsInvalidPunycode(encoded: String) {
    #expect(Punycode.decode(encoded) == nil)
  }
}
