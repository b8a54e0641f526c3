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
}
