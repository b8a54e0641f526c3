import Testing

@testable import InletMail

@Suite("Message ids")
struct MessageIDsTests {
  @Test(
    "bracketed ids, folded references, bare ids",
    arguments: [
      ("<a@b.ru>", ["a@b.ru"]),
      ("<a@b.ru>\r\n <c@d.ru>\t<e@f.ru>", ["a@b.ru", "c@d.ru", "e@f.ru"]),
      ("< a @ b.ru >", ["a@b.ru"]),
      ("<>  <x@y>", ["x@y"]),
      ("a@b.ru, c@d.ru", ["a@b.ru", "c@d.ru"]),
      ("no ids here", []),
      ("<ид@пример.рф> <a@b>", ["ид@пример.рф", "a@b"]),
    ])
  func parses(_ pair: (String, [String])) {
    #expect(MessageIDs.parse(Array(pair.0.utf8)) == pair.1)
  }

  /// The byte reading of ASCII values answers as the character reading, on random values built
  /// from brackets, whitespace (CR LF included), commas and id parts.
  @Test("ASCII values: bytes read as characters, 20,000 random values")
  func asciiMatchesCharacters() {
    let pieces = [
      "<", ">", " ", "\t", "\r\n", "\r", "\n", ",", "a@b.ru", "x", "@", "id.1", "\u{0B}",
    ]
    var generator = SystemRandomNumberGenerator()
    var mismatches: [String] = []
    for _ in 0..<20_000 {
      let value = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
        pieces.randomElement(using: &generator)!
      }.joined()
      let bytes = Array(value.utf8)
      if MessageIDs.parse(bytes) != MessageIDs.parseCharacters(bytes) {
        mismatches.append(value.debugDescription)
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(5))")
  }
}

@Suite("Null return path")
struct NullReturnPathTests {
  @Test(
    "a null return path, whitespace aside",
    arguments: [
      ("<>", true), (" < > ", true), ("\r\n\t<>", true), ("<\u{0B}>", true), ("<a@b>", false),
      ("", false), ("<", false), ("<>>", false), ("\u{00A0}<>", true), ("<\u{0301}>", false),
    ])
  func nullReturnPath(_ pair: (String, Bool)) {
    #expect(NoiseClassifier.isNullPath(pair.0) == pair.1)
    #expect(NoiseClassifier.isNullPath(pair.0) == (pair.0.filter { !$0.isWhitespace } == "<>"))
  }
}
