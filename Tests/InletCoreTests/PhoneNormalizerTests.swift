import Testing

@testable import InletCore

struct PhoneNormalizerTests {
  @Test(arguments: [
    ("8 (916) 123-45-67", "+79161234567"),
    ("+7 916 1234567", "+79161234567"),
    ("79161234567", "+79161234567"),
    ("9161234567", "+79161234567"),
    ("+7(916)123-45-67 доб. 12", "+79161234567"),
    ("tel:+7-916-123-45-67", "+79161234567"),
    ("8.916.123.45.67 ext. 305", "+79161234567"),
    ("+7 916 123 45 67 x12", "+79161234567"),
    ("+7 916 123 45 67#12", "+79161234567"),
    ("+7 8 916 123 45 67", "+79161234567"),
    ("8 800 555-35-35", "+78005553535"),
    ("8-812-123-45-67", "+78121234567"),
    ("(495) 123-45-67", "+74951234567"),
    ("+7 701 123 45 67", "+77011234567"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+44 (0)20 7946 0958", "+442079460958"),
    ("+375 29 123-45-67", "+375291234567"),
    ("+380 50 123 45 67", "+380501234567"),
    ("00 49 30 12345678", "+493012345678"),
    ("8 10 44 20 7946 0958", "+442079460958"),
    ("+1 (212) 555-0123", "+12125550123"),
    ("+234 803 123 4567", "+2348031234567"),
  ])
  func normalizesWithDefaultRussia(raw: String, expected: String) {
    #expect(PhoneNormalizer().normalize(raw) == expected)
  }

  @Test(arguments: [
    "abc",
    "123",
    "+7 916 123",
    "12345678901234567",
    "00000",
    "anonymous",
    "",
    "+",
    "+7 916 123 45 67 89",
    "+7 016 123 45 67",
    "8 916 123 45 6",
    "1234567890",
    "375291234567",
    "+999 123 45 67",
    "+79161234567, +79161234568",
    "89161234567 call me",
    "+7 916 +123 45 67",
    "тел. 89161234567",
    "+7 916 123 45 67 доб. 123456789",
  ])
  func rejectsJunkWithDefaultRussia(raw: String) {
    #expect(PhoneNormalizer().normalize(raw) == nil)
  }

  @Test(arguments: [
    ("KZ", "8 701 123 45 67", "+77011234567"),
    ("KZ", "7011234567", "+77011234567"),
    ("KZ", "8 (916) 123-45-67", "+79161234567"),
    ("BY", "8 029 123-45-67", "+375291234567"),
    ("BY", "(029) 123-45-67", "+375291234567"),
    ("BY", "29 123 45 67", "+375291234567"),
    ("BY", "375 29 123 45 67", "+375291234567"),
    ("UA", "050 123 45 67", "+380501234567"),
    ("UA", "8 050 123 45 67", "+380501234567"),
    ("UZ", "90 123 45 67", "+998901234567"),
    ("UZ", "8 90 123 45 67", "+998901234567"),
    ("DE", "030 12345678", "+493012345678"),
    ("DE", "030/1234567", "+49301234567"),
    ("DE", "0151 12345678", "+4915112345678"),
    ("DE", "+49 (0)30 12345678", "+493012345678"),
    ("GB", "020 7946 0958", "+442079460958"),
    ("GB", "07700 900123", "+447700900123"),
    ("GB", "44 20 7946 0958", "+442079460958"),
    ("US", "(212) 555-0123", "+12125550123"),
    ("US", "1-212-555-0123", "+12125550123"),
    ("US", "011 44 20 7946 0958", "+442079460958"),
    ("FR", "06 12 34 56 78", "+33612345678"),
    ("IT", "06 1234 5678", "+390612345678"),
    ("ZZ", "+7 916 123 45 67", "+79161234567"),
  ])
  func normalizesWithOtherDefaultCountries(country: String, raw: String, expected: String) {
    #expect(PhoneNormalizer(defaultCountry: country).normalize(raw) == expected)
  }

  @Test(arguments: [
    ("UA", "501234567"),
    ("US", "(012) 555-0123"),
    ("US", "555-0123"),
    ("DE", "4930123456"),
    ("GB", "0207946095812"),
    ("ZZ", "89161234567"),
  ])
  func rejectsAmbiguousNationalNumbers(country: String, raw: String) {
    #expect(PhoneNormalizer(defaultCountry: country).normalize(raw) == nil)
  }

  @Test(arguments: [
    "anonymous", "Anonymous", "unknown", "private", "restricted", "hidden", "скрыт",
    "Скрытый номер", "", "  ", "0", "+", "000", "sip:anonymous@anonymous.invalid",
    "\"Anonymous\" <sip:anonymous@anonymous.invalid>", "+266696687", "+86282452253",
    "+7378742833", "+2562533",
  ])
  func recognisesAnonymousCallerID(raw: String) {
    #expect(PhoneNormalizer.isAnonymous(raw))
  }

  @Test(arguments: ["+79161234567", "89161234567", "sip:101@pbx.local", "Ivan", "2562533"])
  func doesNotTreatRealCallerIDAsAnonymous(raw: String) {
    #expect(!PhoneNormalizer.isAnonymous(raw))
  }

  /// Caller IDs as SIP and tel URIs (PBXs, BroadWorks XSI) are read by their number.
  @Test(arguments: [
    ("sip:79161234567@pbx.local", "+79161234567"),
    ("<sips:+74951112233@host;user=phone>", "+74951112233"),
    ("sip:+12403649000@as.example.com;user=phone", "+12403649000"),
    ("tel:2403649003;phone-context=+1", "+12403649003"),
    ("tel:+79161234567;ext=12", "+79161234567"),
    ("sip:101@pbx.local", nil), ("sip:anonymous@anonymous.invalid", nil),
    ("Telegram", nil), ("tel:+79161234567", "+79161234567"),
  ])
  func readsNumbersInURIs(raw: String, expected: String?) {
    let normalizer = PhoneNormalizer(defaultCountry: "RU")
    #expect(normalizer.normalize(raw) == expected)
    let viaBytes = Array(raw.utf8).withUnsafeBufferPointer { normalizer.normalize(utf8: $0) }
    #expect(viaBytes == expected)
  }

  @Test func everyPlanIsConsistent() {
    for plan in CountryDialingPlan.all {
      #expect(CountryDialingPlan.assignedCallingCodes.contains(plan.callingCode), "\(plan.isoCode)")
      #expect(CountryDialingPlan.plan(forCountry: plan.isoCode.lowercased()) == plan)
      // E.164 allows at most 15 digits, calling code included.
      let longest = plan.callingCode.count + (plan.nationalNumberLengths.max() ?? 0)
      #expect(longest <= 15, "\(plan.isoCode)")
    }
    #expect(CountryDialingPlan.all.count >= 40)
  }
}
