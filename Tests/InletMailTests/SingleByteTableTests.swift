import Testing

@testable import InletMail

/// The byte tables that replace iconv for the Cyrillic code pages must read exactly as iconv
/// does — the same text, the same count of rejected bytes — and score as the text would.
@Suite("Single-byte code page tables")
struct SingleByteTableTests {
  @Test("every Cyrillic candidate has a table", arguments: Charset.cyrillicCandidates)
  func tableExists(name: String) {
    #expect(SingleByteTable.cyrillic[name] != nil)
  }

  @Test(
    "all 256 bytes and 2,000 random buffers read as iconv reads them",
    arguments: Charset.cyrillicCandidates)
  func matchesIconv(name: String) throws {
    let table = try #require(SingleByteTable.cyrillic[name])
    var generator = SystemRandomNumberGenerator()
    var inputs: [[UInt8]] = [Array(0...255), []]
    for _ in 0..<2000 {
      let length = Int.random(in: 1...200, using: &generator)
      inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
    var mismatches = 0
    for bytes in inputs {
      let (text, errors, score) = table.decode(bytes)
      let (expected, expectedErrors) = Charset.iconvSkippingInvalid(bytes, from: name)
      if text != expected || errors != expectedErrors || score != CyrillicScore.score(expected) {
        mismatches += 1
      }
      let (strictText, strictErrors) = Charset.iconvSkippingInvalid(bytes, from: name, strict: true)
      let (tableStrict, tableStrictErrors, _) = table.decode(bytes, stopAtError: true)
      if (strictErrors == 0) != (tableStrictErrors == 0)
        || (strictErrors == 0 && strictText != tableStrict)
      {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test("a windows-1251 letter declared as such still decodes to its text")
  func declaredLetter() {
    let text = "Добрый день! Прошу выставить счёт, ИНН 7707083893. №5 — «срочно»."
    let (bytes, errors) = Charset.convertTo(text, "WINDOWS-1251")
    #expect(errors == 0)
    #expect(Charset.decode(bytes, declared: "windows-1251") == text)
    #expect(Charset.decode(bytes, declared: nil) == text)
    // A wrong declaration: KOI8-R bytes (which have no №, dash or guillemets) read right anyway.
    let plain = "Добрый день! Прошу выставить счёт, ИНН 7707083893."
    let (koi, koiErrors) = Charset.convertTo(plain, "KOI8-R")
    #expect(koiErrors == 0)
    #expect(Charset.decode(koi, declared: "windows-1251") == plain)
  }
}
