import Testing

@testable import InletMail

@Suite("Transfer encodings")
struct TransferDecodingTests {
  @Test func charsetNames() {
    for (declared, name) in [
      ("utf-8", "UTF-8"), ("\"Windows-1251\"", "WINDOWS-1251"), (" cp1251 ", "WINDOWS-1251"),
      ("koi8-r*ru", "KOI8-R"), ("'x-mac-cyrillic'", "MAC-CYRILLIC"), ("", "US-ASCII"),
      ("iso-8859-15", "ISO-8859-15"), ("big5\t", "BIG5"), ("utf-ß", "UTF-SS"),
    ] {
      #expect(Charset.canonicalName(declared) == name, "\(declared)")
    }
  }

  @Test func base64ToleratesDamage() {
    let clean = TransferDecoding.base64(Array("0J/RgNC40LLQtdGC".utf8))
    #expect(String(decoding: clean, as: UTF8.self) == "Привет")
    let damaged = TransferDecoding.base64(Array("0J/R\r\ngNC4!!\n 0LLQ *tdGC".utf8))
    #expect(damaged == clean)
    // Padding in the middle: two blocks glued together.
    #expect(TransferDecoding.base64(Array("YQ==Yg==".utf8)) == Array("ab".utf8))
    // Missing padding.
    #expect(TransferDecoding.base64(Array("YWI".utf8)) == Array("ab".utf8))
  }

  @Test func quotedPrintableToleratesDamage() {
    let input = "caf=c3=a9 =\r\nau lait=ZZ and = alone  \r\nnext=\n line=3D"
    let decoded = TransferDecoding.quotedPrintable(Array(input.utf8), headerForm: false)
    #expect(String(decoding: decoded, as: UTF8.self) == "café au lait=ZZ and = alone\r\nnext line=")
    #expect(
      TransferDecoding.quotedPrintable(Array("a_b=5F".utf8), headerForm: true) == Array("a b_".utf8)
    )
  }
}

@Suite("Charset detection")
struct CharsetTests {
  private let sample = "Добрый день! Прошу выставить счёт на поставку оборудования."

  @Test(arguments: ["WINDOWS-1251", "KOI8-R", "CP866", "ISO-8859-5", "MAC-CYRILLIC"])
  func undeclaredCyrillicIsDetected(_ charset: String) throws {
    let bytes = try #require(encode(sample, charset))
    #expect(Charset.detect(bytes) == sample)
  }

  @Test(arguments: ["windows-1251", "koi8-r", "cp866", "iso-8859-5", "x-mac-cyrillic", "koi8-u"])
  func declaredCharsetsConvert(_ charset: String) throws {
    let bytes = try #require(encode(sample, Charset.canonicalName(charset)))
    #expect(Charset.decode(bytes, declared: charset) == sample)
  }

  @Test func wrongDeclarationIsCorrected() throws {
    let cp1251 = try #require(encode(sample, "WINDOWS-1251"))
    #expect(Charset.decode(cp1251, declared: "utf-8") == sample)
    #expect(Charset.decode(cp1251, declared: "us-ascii") == sample)
    #expect(Charset.decode(cp1251, declared: "iso-8859-1") == sample)
    #expect(Charset.decode(Array(sample.utf8), declared: "windows-1251") == sample)
    let koi8 = try #require(encode(sample, "KOI8-R"))
    #expect(Charset.decode(koi8, declared: "windows-1251") == sample)
  }

  @Test func shortNamesAndWesternText() throws {
    let name = try #require(encode("Иван", "WINDOWS-1251"))
    #expect(Charset.detect(name) == "Иван")
    let german = try #require(encode("Grüße aus München", "WINDOWS-1252"))
    #expect(Charset.decode(german, declared: "windows-1252") == "Grüße aus München")
  }

  @Test func neverReplacementCharacters() {
    for bytes: [UInt8] in [[0xFF, 0xFE, 0x98, 0x00], [0xC3], [0x80, 0x81, 0x98], Array(0...255)] {
      #expect(!Charset.detect(bytes).contains("\u{FFFD}"))
      #expect(!Charset.decode(bytes, declared: "utf-8").contains("\u{FFFD}"))
      #expect(!Charset.decode(bytes, declared: "no-such-charset").contains("\u{FFFD}"))
    }
  }

  private func encode(_ text: String, _ charset: String) -> [UInt8]? {
    let (converted, errors) = Charset.convertTo(text, charset)
    return errors == 0 ? converted : nil
  }
}

@Suite("HTML to text")
struct HTMLTextTests {
  @Test func paragraphsLinksAndEntities() {
    let html = """
      <html><head><title>T</title><style>p {}</style></head><body>
      <p>Hello&nbsp;there,</p><p>see <a href="https://x.ru/a?b=1&amp;c=2">the&nbsp;list</a>
      and <a href="https://x.ru">https://x.ru</a>.</p><script>var a = "<p>";</script>
      <div>Line one<br>Line two</div><ul><li>one</li><li>two &mdash; 2</li></ul>
      <a href="mailto:a@b.ru">a@b.ru</a> &#1046;&#x416; &unknown;
      </body></html>
      """
    #expect(
      HTMLText.text(from: html) == """
        Hello there,

        see the list (https://x.ru/a?b=1&c=2) and https://x.ru.

        Line one
        Line two

        - one
        - two — 2

        a@b.ru ЖЖ &unknown;
        """)
  }

  @Test func brokenMarkupDegrades() {
    #expect(HTMLText.text(from: "a < b and <unclosed") == "a < b and <unclosed")
    #expect(HTMLText.text(from: "<!-- only a comment") == "")
    #expect(HTMLText.text(from: "x<br><br><br><br>y") == "x\n\ny")
    // `<` before a digit or a space is text, as browsers read it.
    #expect(
      HTMLText.text(from: "Сообщение: нужно <50 шт, срочно<br>Телефон: 8 916 123-45-67<br>")
        == "Сообщение: нужно <50 шт, срочно\nТелефон: 8 916 123-45-67")
  }
}

@Suite("Line endings before decoding")
struct NewlinesBeforeDecodingTests {
  @Test("LF-normalising the bytes, then decoding, reads as decoding, then LF-normalising")
  func bytesThenDecodeEqualsDecodeThenText() {
    let pieces: [[UInt8]] = [
      [0x0D], [0x0A], [0x0D, 0x0A], [0x0D, 0x0D, 0x0A], Array("Привет".utf8), Array("ok ".utf8),
      [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], [0xF0, 0xD2, 0xC9], [0xE9], [0xD0], [0x80], [0xFF],
    ]
    let charsets: [String?] = [nil, "utf-8", "windows-1251", "koi8-r", "iso-8859-1", "us-ascii"]
    var generator = SystemRandomNumberGenerator()
    var mismatches = 0
    // A byte that decoding drops (invalid UTF-8 in damaged UTF-8 text) between a lone CR and
    // an LF keeps them two line breaks when the bytes are normalised first — they were never a
    // pair — so a lone CR is followed here only by a piece that starts with ASCII or valid
    // UTF-8; `droppedByteBetweenCRAndLF` checks that case on its own.
    let afterLoneCR = pieces.filter { $0[0] < 0x80 || String(validating: $0, as: UTF8.self) != nil }
    for _ in 0..<3_000 {
      var bytes: [UInt8] = []
      var previous: [UInt8] = []
      for _ in 0..<Int.random(in: 0...24, using: &generator) {
        let piece = (previous == [0x0D] ? afterLoneCR : pieces).randomElement(using: &generator)!
        bytes += piece
        previous = piece
      }
      let charset = charsets.randomElement(using: &generator)!
      let before = Charset.decode(BodyExtractor.normaliseNewlines(bytes), declared: charset)
      let after = BodyExtractor.normaliseNewlines(Charset.decode(bytes, declared: charset))
      if before != after { mismatches += 1 }
      #expect(!BodyExtractor.normaliseNewlines(bytes).contains(0x0D))
    }
    #expect(mismatches == 0)
  }

  @Test("a dropped byte between a lone CR and an LF leaves two line breaks")
  func droppedByteBetweenCRAndLF() {
    let damaged =
      Array(String(repeating: "Привет", count: 4).utf8) + [0x0D, 0x80, 0x0A] + Array("ok".utf8)
    let text = Charset.decode(BodyExtractor.normaliseNewlines(damaged), declared: nil)
    #expect(text == String(repeating: "Привет", count: 4) + "\n\nok")
    // Decoding first would have dropped the byte and paired them into one break.
    #expect(
      BodyExtractor.normaliseNewlines(Charset.decode(damaged, declared: nil))
        == String(repeating: "Привет", count: 4) + "\nok")
  }

  @Test(
    "UTF-8 with a cut character stays UTF-8 under any single-byte declaration",
    arguments: ["windows-1251", "koi8-r", "iso-8859-1", "cp866", nil])
  func damagedUTF8UnderACodePage(declared: String?) {
    let text = "Добрый день! Прошу выставить счёт на 10 лицензий. Иван"
    var bytes = Array(text.utf8)
    // The last letter of «Иван» cut in half, as substr() leaves it.
    bytes.removeLast()
    #expect(
      Charset.decode(bytes, declared: declared)
        == "Добрый день! Прошу выставить счёт на 10 лицензий. Ива")
    // Real code-page text is still read in its code page.
    let (cp1251, _) = Charset.convertTo(text, "WINDOWS-1251")
    #expect(Charset.decode(cp1251, declared: "windows-1251") == text)
    let (koi8, _) = Charset.convertTo(text, "KOI8-R")
    #expect(Charset.decode(koi8, declared: "koi8-r") == text)
  }
}
