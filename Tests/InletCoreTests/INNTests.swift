import Testing

@testable import InletCore

struct INNTests {
  /// Publicly listed INNs: Sberbank, Alfa-Bank, and a 12-digit one common in documentation.
  static let publicINNs = ["7707083893", "7728168971", "500100732259"]

  /// Builds a valid INN from its body by computing the check digits independently of `INN`,
  /// so that the tests do not just replay the implementation.
  static func withCheckDigits(_ body: String) -> String {
    func check(_ digits: String, _ weights: [Int]) -> String {
      var sum = 0
      for (character, weight) in zip(digits, weights) {
        sum += Int(String(character))! * weight
      }
      return String(sum % 11 % 10)
    }
    let organisation = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    let personFirst = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    let personSecond = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    if body.count == 9 { return body + check(body, organisation) }
    let first = body + check(body, personFirst)
    return first + check(first, personSecond)
  }

  @Test(arguments: [
    ("7707083893", "7707083893"),
    (" 7707083893\n", "7707083893"),
    ("7707 083 893", "7707083893"),
    ("500100732259", "500100732259"),
    ("7707083894", "7707083894"),
  ])
  func normalizesWellFormedNumbers(raw: String, expected: String) {
    #expect(INN.normalize(raw) == expected)
  }

  @Test(arguments: [
    "", "770708389", "77070838931", "7707O83893", "ИНН 7707083893", "7707-083-893",
    "50010073225", "5001007322590", "７７０７０８３８９３",
  ])
  func rejectsMalformedNumbers(raw: String) {
    #expect(INN.normalize(raw) == nil)
  }

  @Test(
    arguments: INNTests.publicINNs + [
      INNTests.withCheckDigits("771234567"), INNTests.withCheckDigits("123456789"),
      INNTests.withCheckDigits("7701234567"),
      INNTests.withCheckDigits("0101010101"), INNTests.withCheckDigits("991234567"),
    ])
  func acceptsValidNumbers(inn: String) {
    #expect(INN.isValid(inn))
  }

  @Test(arguments: [
    "7707083894", "7728168970", "500100732258", "500100732269", "0000000000", "000000000000",
    "770708389", "77070838930", "7707083893 ", "", "abcdefghij",
  ])
  func rejectsInvalidNumbers(inn: String) {
    #expect(!INN.isValid(inn))
  }

  // The three public numbers have check digits other than 0, so no single-digit change can
  // keep them valid (a check digit of 0 is reached from remainders 0 and 10 alike).
  @Test(arguments: INNTests.publicINNs)
  func anySingleDigitChangeInvalidates(inn: String) {
    let digits = Array(inn)
    for position in digits.indices {
      for replacement in "0123456789" where replacement != digits[position] {
        var mutated = digits
        mutated[position] = replacement
        #expect(!INN.isValid(String(mutated)), "\(String(mutated))")
      }
    }
  }

  @Test(arguments: [
    ("ООО «Ромашка», ИНН 7707083893, КПП 773601001", ["7707083893"]),
    ("ИНН/КПП: 7728168971/772801001", ["7728168971"]),
    ("ИП Иванов И. И., инн: 500100732259", ["500100732259"]),
    ("INN 7707083893; tax id 7728168971", ["7707083893", "7728168971"]),
    ("Реквизиты: 7728168971. ИНН № 7707083893", ["7707083893", "7728168971"]),
    ("ИНН 7707083893, повторно ИНН 7707083893 и 7707083893", ["7707083893"]),
    ("ИНН 7707083894", []),
    ("р/с 40702810077070838931 в ПАО Сбербанк", []),
    ("Тел.: +7 \(withCheckDigits("916123456"))", []),
    ("Тел.: 8 (916) 123-45-67, почта ivan@example.ru", []),
    ("", []),
  ])
  func extractsValidNumbersFromText(text: String, expected: [String]) {
    #expect(INN.extract(from: text) == expected)
  }

  /// What people type into a form's INN field.
  @Test(arguments: [
    ("7707083893", "7707083893"), ("ИНН 7707083893", "7707083893"),
    ("7707083893/770701001", "7707083893"), ("7707-083-893", "7707083893"),
    ("инн: 500100732259", "500100732259"), ("7707083894", nil), ("не знаю", nil),
  ])
  func readsAFormField(raw: String, expected: String?) {
    #expect(INN.read(raw) == expected)
  }

  @Test func readsAnINNThatLostItsLeadingZero() {
    let full = Self.withCheckDigits("027364562")
    #expect(full.hasPrefix("0"))
    #expect(INN.read(String(full.dropFirst())) == full)
  }

  @Test func extractsUnlabelledStandaloneNumber() {
    let generated = Self.withCheckDigits("916123456")
    #expect(INN.extract(from: "Номер \(generated) в договоре") == [generated])
  }
}
