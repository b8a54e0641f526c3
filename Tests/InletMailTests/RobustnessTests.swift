import Foundation
import InletMail
import Testing

@Suite("Never traps")
struct RobustnessTests {
  @Test("every prefix of every fixture normalises", arguments: FixtureCorpus.all)
  func truncatedInputs(_ fixture: FixtureCorpus.Fixture) {
    let raw = fixture.raw
    let step = max(1, raw.count / 97)
    var length = 0
    while length <= raw.count {
      let outcome = MailNormaliser.normalise(Array(raw.prefix(length)), options: MailOptions())
      if length == 0, case .unparseable = outcome {
      } else if length == 0 {
        Issue.record("empty input must be unparseable")
      }
      length += step
    }
  }

  @Test("mutated letters normalise")
  func mutations() {
    var generator = SplitMix(seed: 20_240_401)
    for fixture in FixtureCorpus.all {
      for _ in 0..<20 {
        var raw = fixture.raw
        for _ in 0..<Int(generator.next() % 16 + 1) where !raw.isEmpty {
          let index = Int(generator.next() % UInt64(raw.count))
          switch generator.next() % 3 {
          case 0: raw[index] = UInt8(truncatingIfNeeded: generator.next())
          case 1: raw.remove(at: index)
          default: raw.insert(contentsOf: Array("\r\n--=?utf-8?B?".utf8), at: index)
          }
        }
        _ = MailNormaliser.normalise(raw, options: MailOptions())
      }
    }
  }

  @Test("a BOM or blank lines before the header block are tolerated")
  func leadingNoise() {
    for prefix in ["\u{FEFF}", "\r\n\r\n", "\n"] {
      let raw = Array((prefix + "From: a@b.ru\r\nSubject: Hi\r\n\r\nBody\r\n").utf8)
      guard case .letter(let letter) = MailNormaliser.normalise(raw, options: MailOptions()) else {
        Issue.record("not a letter with prefix \(Array(prefix.utf8))")
        continue
      }
      #expect(letter.subject == "Hi")
      #expect(letter.text == "Body")
    }
  }

  @Test("fuzzing regressions normalise")
  func fuzzRegressions() {
    for raw in FixtureCorpus.fuzzRegressions {
      _ = MailNormaliser.normalise(raw, options: MailOptions())
    }
  }

  @Test("deep nesting and many parts stay bounded")
  func deepNesting() {
    var raw = "From: a@b.ru\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for depth in 0..<200 {
      raw += "--b\(depth)\r\nContent-Type: multipart/mixed; boundary=b\(depth + 1)\r\n\r\n"
    }
    raw += "--b200\r\n\r\nleaf\r\n"
    guard case .letter = MailNormaliser.normalise(Array(raw.utf8), options: MailOptions()) else {
      Issue.record("deeply nested letter should still be a letter")
      return
    }
    var many = "From: a@b.ru\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
    many += String(
      repeating: "--x\r\nContent-Type: application/octet-stream\r\n\r\nA\r\n", count: 5000)
    guard
      case .letter(let letter) = MailNormaliser.normalise(
        Array(many.utf8), options: MailOptions())
    else {
      Issue.record("many parts should still be a letter")
      return
    }
    #expect(letter.attachments.count == 50)
    #expect(letter.attachmentsOmitted > 0)
  }
}

/// A small deterministic generator for reproducible mutations.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var value = state
    value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
    value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
    return value ^ (value >> 31)
  }
}
