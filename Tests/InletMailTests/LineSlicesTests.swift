import Testing

@testable import InletMail

@Suite("Line slices")
struct LineSlicesTests {
  static let texts = [
    "", "\n", "\n\n", "one", "one\n", "\none", "one\ntwo", "one\r\ntwo\r\n",
    "Здравствуйте!\nС уважением,\nИван\n\n-- \nООО «Ромашка»", "e\u{301}\ne\u{301}\n",
    "🙂\n🙂🙂\n", String(repeating: "строка\n", count: 300) + "конец",
  ]

  /// Splitting the bytes on LF (0x0A) — not on characters, where CR LF is one.
  static func lines(_ text: some StringProtocol) -> [String] {
    text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
      .map { String(decoding: Array($0), as: UTF8.self) }
  }

  @Test("the lines are what splitting the bytes on LF gives, for strings and substrings")
  func matchesSplit() {
    for text in Self.texts {
      #expect(text.lineSlices().map(String.init) == Self.lines(text), "\(text.debugDescription)")
      let inner = ("x\n" + text + "\ny").dropFirst(2).dropLast(2)
      #expect(inner.lineSlices().map(String.init) == Self.lines(inner), "\(text.debugDescription)")
    }
    #expect("one\r\ntwo".lineSlices() == ["one\r", "two"])
  }

  @Test("byte search and the first offset of a byte agree with a plain scan")
  func byteSearch() {
    let needles = ["", "\n", "инн", "р/с", "№", "a", "строка\nконец", "🙂🙂", "ИНН", "x\ny"]
    for text in Self.texts + ["инн: 7707083893", "р/с№", "aaab", "ab"] {
      let bytes = Array(text.utf8)
      for needle in needles {
        let pattern = Array(needle.utf8)
        let expected =
          pattern.isEmpty
          || (pattern.count <= bytes.count
            && (0...(bytes.count - pattern.count)).contains {
              Array(bytes[$0..<($0 + pattern.count)]) == pattern
            })
        #expect(text.utf8Contains(needle) == expected, "\(text.debugDescription) \(needle)")
        #expect(ByteSearch.contains(bytes, needle) == expected)
        let set = BytePatternSet([Array("\u{1}".utf8), pattern])
        #expect(bytes.withUnsafeBufferPointer { set.occurs(in: $0) } == expected)
      }
      #expect(!bytes.withUnsafeBufferPointer { BytePatternSet([]).occurs(in: $0) })
      for byte: UInt8 in [0x0A, 0x0D, 0x3A, 0xD0] {
        #expect(text.utf8Offset(of: byte) == bytes.firstIndex(of: byte))
        let inner = ("x:\r\n" + text).dropFirst(4)
        #expect(inner.utf8Offset(of: byte) == Array(inner.utf8).firstIndex(of: byte))
      }
    }
  }

  @Test("a pattern set finds what a scan for each pattern finds, and where, in random windows")
  func patternSet() {
    let patterns = ["инн", "р/с", "№", "x", "iban", "ок", "сч"].map { Array($0.utf8) }
    let set = BytePatternSet(patterns)
    let alphabet = Array("инн р/с №xiban окпо счёт ИНН 0123".utf8) + [0xD0, 0xD1, 0xE2, 0x84]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<5_000 {
      let window = (0..<Int.random(in: 0...30, using: &generator)).map { _ in
        alphabet.randomElement(using: &generator)!
      }
      let expected = patterns.contains { pattern in
        pattern.count <= window.count
          && (0...(window.count - pattern.count)).contains {
            Array(window[$0..<($0 + pattern.count)]) == pattern
          }
      }
      #expect(window.withUnsafeBufferPointer { set.occurs(in: $0) } == expected, "\(window)")
      let first = window.indices.first { offset in
        patterns.contains { window[offset...].starts(with: $0) }
      }
      #expect(window.withUnsafeBufferPointer { set.firstOffset(in: $0) } == first, "\(window)")
    }
    #expect(Array("".utf8).withUnsafeBufferPointer { BytePatternSet([[]]).occurs(in: $0) })
  }

  @Test("a ten-digit run is found wherever it starts, and only when it is there")
  func tenDigitRuns() {
    func naive(_ text: String) -> Bool {
      var run = 0
      for byte in text.utf8 {
        run = (0x30...0x39).contains(byte) ? run + 1 : 0
        if run >= 10 { return true }
      }
      return false
    }
    var generator = SystemRandomNumberGenerator()
    let pieces = ["1", "23", "456789", "0123456789", " ", "-", "инн", "a", "\n"]
    var mismatches: [String] = []
    for _ in 0..<5000 {
      let count = Int.random(in: 0...30, using: &generator)
      let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
      if INNFinder.hasTenDigitRun(text) != naive(text) { mismatches.append(text) }
    }
    for text in ["", "123456789", "1234567890", "x1234567890", "123456789 1234567890"] {
      if INNFinder.hasTenDigitRun(text) != naive(text) { mismatches.append(text) }
    }
    #expect(mismatches.isEmpty, "\(mismatches.prefix(3))")
  }

  @Test("replacement characters are dropped, nothing else is")
  func replacementCharacters() {
    #expect(ByteSearch.removingReplacementCharacters("при\u{FFFD}вет\u{FFFD}") == "привет")
    #expect(ByteSearch.removingReplacementCharacters("\u{FFFD}\u{FFFD}") == "")
    #expect(ByteSearch.removingReplacementCharacters("ёлка 🙂") == "ёлка 🙂")
    let broken = String(decoding: [0xD0, 0x9F, 0xD1, 0x80, 0xD0] as [UInt8], as: UTF8.self)
    #expect(ByteSearch.removingReplacementCharacters(broken) == "Пр")
  }

  @Test("fast lower-casing changes ASCII and Russian capitals only")
  func lowercasing() {
    #expect("ИНН Ёлка ABC ÄÖ 123".fastLowercased() == "инн ёлка abc ÄÖ 123")
    #expect(ByteSearch.lowercased(Array("Р/С №".utf8)) == Array("р/с №".utf8))
  }
}
