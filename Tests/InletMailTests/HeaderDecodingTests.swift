import Testing

@testable import InletMail

@Suite("Header decoding")
struct HeaderDecodingTests {
  private func decode(_ text: String) -> String { HeaderText.decode(Array(text.utf8)) }

  @Test func encodedWordsBAndQ() {
    #expect(decode("=?utf-8?B?0J/RgNC40LLQtdGC?=") == "Привет")
    #expect(
      decode("=?UTF-8?Q?=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82_=D0=BC=D0=B8=D1=80?=")
        == "Привет мир")
    #expect(decode("=?iso-8859-1?q?caf=E9?= au lait") == "café au lait")
  }

  @Test func adjacentWordsJoinWithoutTheWhitespaceBetween() {
    #expect(decode("=?utf-8?B?0J/RgA==?= \r\n =?utf-8?B?0LjQstC10YI=?=") == "Привет")
    #expect(decode("=?utf-8?Q?a?= b =?utf-8?Q?c?=") == "a b c")
  }

  @Test func multibyteCharacterSplitAcrossWords() {
    // "Ж" is D0 96; the first word ends after D0.
    #expect(decode("=?utf-8?Q?=D0?= =?utf-8?Q?=96=D0=B0?=") == "Жа")
    #expect(decode("=?UTF-8?B?0A==?= =?UTF-8?B?lg==?=") == "Ж")
  }

  @Test func splitCharacterJoinsWhateverTheLabelsCase() {
    #expect(decode("=?utf-8?B?0JjQ?= =?UTF-8?B?stCw0L0=?=") == "Иван")
  }

  @Test func rawCommaInsideAnEncodedNameIsTheNames() {
    let parsed = AddressParser.parse(
      Array(
        "=?utf-8?Q?=D0=98=D0=B2=D0=B0=D0=BD=D0=BE=D0=B2,_=D0=98=D0=B2=D0=B0=D0=BD?= <ivan@x.ru>, other@y.ru"
          .utf8))
    #expect(parsed.map(\.address) == ["ivan@x.ru", "other@y.ru"])
    #expect(parsed.first?.name == "Иванов, Иван")
    // A `=?` that opens no encoded word leaves the commas alone.
    #expect(AddressParser.parse(Array("a=?b <a@x.ru>, c@y.ru".utf8)).count == 2)
  }

  @Test func numericEntitiesInTheC1RangeAreWindows1252() {
    #expect(HTMLText.text(from: "1&#150;2 &#151; &#133;") == "1–2 — …")
  }

  @Test func malformedWordsStayLiteral() {
    #expect(decode("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=")
    #expect(decode("=?utf-8?B?unterminated") == "=?utf-8?B?unterminated")
    #expect(decode("a =? b") == "a =? b")
  }

  @Test func raw8BitHeadersAreDetected() {
    let cp1251: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, 0x2C, 0x20, 0xEC, 0xE8, 0xF0]
    #expect(HeaderText.decode(cp1251) == "Привет, мир")
    #expect(HeaderText.decode(Array("Привет".utf8)) == "Привет")
    // Capitals (a subject, a company) read in their own code page, cp1251 and KOI8-R alike. (A
    // single short word stays a guess: KOI8-R «ПРАЙС» reads as well as cp1251 «ртбку».)
    let capitals: [([UInt8], String)] = [
      (
        [0xD1, 0xD7, 0xC5, 0xD2, 0x20, 0xCD, 0xC0, 0x20, 0xCE, 0xCF, 0xCB, 0xC0, 0xD2, 0xD3],
        "СЧЕТ НА ОПЛАТУ"
      ),
      ([0xC8, 0xCF, 0x20, 0xCF, 0xC5, 0xD2, 0xD0, 0xCE, 0xC2], "ИП ПЕТРОВ"),
      (
        [
          0xFA, 0xE1, 0xF1, 0xF7, 0xEB, 0xE1, 0x20, 0xEE, 0xE1, 0x20, 0xF0, 0xEF, 0xF3, 0xF4,
          0xE1, 0xF7, 0xEB, 0xF5, 0x20, 0xEF, 0xE2, 0xEF, 0xF2, 0xF5, 0xE4, 0xEF, 0xF7, 0xE1,
          0xEE, 0xE9, 0xF1,
        ], "ЗАЯВКА НА ПОСТАВКУ ОБОРУДОВАНИЯ"
      ),
      (
        [0xF3, 0xDE, 0xC5, 0xD4, 0x20, 0xCE, 0xC1, 0x20, 0xCF, 0xD0, 0xCC, 0xC1, 0xD4, 0xD5],
        "Счет на оплату"
      ),
    ]
    for (bytes, text) in capitals { #expect(HeaderText.decode(bytes) == text) }
  }

  @Test func addressesWithEncodedNamesGroupsAndComments() {
    let list = AddressParser.parse(
      Array(
        "=?utf-8?B?0JjQstCw0L3QvtCyLCDQmNCy0LDQvQ==?= <ivan@x.ru>, Team: a@b.ru, c@d.ru;, e@f.ru (Eve)"
          .utf8))
    #expect(list.map(\.address) == ["ivan@x.ru", "a@b.ru", "c@d.ru", "e@f.ru"])
    #expect(list.first?.name == "Иванов, Иван")
    #expect(list.last?.name == "Eve")
    #expect(
      AddressParser.parse(Array("<@relay:user@host.ru>".utf8)).first?.address == "user@host.ru")
  }

  @Test func dates() {
    #expect(
      MailDate.parse("Tue, 12 Mar 2024 10:15:43 +0300")?.timeIntervalSince1970 == 1_710_227_743)
    #expect(MailDate.parse("12 Mar 24 07:15 GMT")?.timeIntervalSince1970 == 1_710_227_700)
    #expect(
      MailDate.parse("Tue, 12 Mar 2024 10:15:43 MSK (comment)")?.timeIntervalSince1970
        == 1_710_227_743)
    #expect(MailDate.parse("not a date") == nil)
  }
}

@Suite("RFC 2231 and parameters")
struct ParameterTests {
  private func parse(_ text: String) -> HeaderParameters {
    HeaderParameters.parse(Array(text.utf8))
  }

  @Test func continuationsWithCharsetAndLanguage() {
    let value = parse(
      "attachment; filename*0*=utf-8'ru'%D0%A1%D1%87%D1%91; filename*1*=%D1%82; filename*2=.pdf")
    #expect(value.value == "attachment")
    #expect(value["filename"] == "Счёт.pdf")
  }

  @Test func unorderedSectionsAndPlainFallback() {
    let value = parse("inline; filename*1=\"b.txt\"; filename*0=\"a\"; name=x")
    #expect(value["filename"] == "ab.txt")
    #expect(value["name"] == "x")
  }

  @Test func extendedValueWinsOverPlain() {
    let value = parse("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%D0%90.pdf")
    #expect(value["filename"] == "А.pdf")
  }

  @Test func encodedWordInQuotedValueAndQuotedSemicolons() {
    let value = parse("text/plain; name=\"=?windows-1251?B?0+f+?=.txt\"; x=\"a;b\"")
    #expect(value.value == "text/plain")
    #expect(value["name"] == "Узю.txt")
    #expect(value["x"] == "a;b")
  }
}
