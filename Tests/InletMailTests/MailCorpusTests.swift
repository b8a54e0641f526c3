import Foundation
import InletMail
import Testing

@Suite("Mail fixture corpus")
struct MailCorpusTests {
  @Test("the corpus has at least 60 letters, each naming what it imitates")
  func corpusSize() {
    #expect(FixtureCorpus.all.count >= 60)
    for fixture in FixtureCorpus.all {
      #expect(fixture.expected["imitates"] is String, "\(fixture.name)")
      #expect(fixture.expected["outcome"] is String, "\(fixture.name)")
    }
  }

  @Test("every expected field matches", arguments: FixtureCorpus.all)
  func fixture(_ fixture: FixtureCorpus.Fixture) {
    let expected = fixture.expected
    let outcome = MailNormaliser.normalise(fixture.raw, options: FixtureCorpus.options(expected))
    let problems = ExpectedFields.mismatches(expected, outcome)
    #expect(problems.isEmpty, "\(fixture.name):\n\(problems.joined(separator: "\n"))")
  }

  /// The comparison must be able to fail: every expected field, changed, is reported.
  @Test("a wrong expected value is reported", arguments: FixtureCorpus.all)
  func comparisonCanFail(_ fixture: FixtureCorpus.Fixture) {
    let expected = fixture.expected
    let outcome = MailNormaliser.normalise(fixture.raw, options: FixtureCorpus.options(expected))
    for key in expected.keys where !["imitates", "options"].contains(key) {
      var corrupted = expected
      corrupted[key] = Self.corrupt(expected[key]!)
      if key == "text_not_contains", case .letter(let letter) = outcome {
        corrupted[key] = [String(letter.text.prefix(3))]
      }
      #expect(
        !ExpectedFields.mismatches(corrupted, outcome).isEmpty,
        "\(fixture.name): a wrong \(key) went unnoticed")
    }
    var unknown = expected
    unknown["sender_nmae"] = "x"
    #expect(!ExpectedFields.mismatches(unknown, outcome).isEmpty)
  }

  private static func corrupt(_ value: Any) -> Any {
    switch value {
    case is NSNull: return "something"
    case let text as String: return text + "#"
    case let list as [String]: return list + ["#"]
    case let list as [[String: Any]]:
      return list.isEmpty ? [["name": "x", "type": "a/b", "size": 1]] : Array(list.dropLast())
    case let object as [String: String]: return object.merging(["#": "#"]) { $1 }
    case let number as NSNumber:
      if let flag = value as? Bool, "\(number)" == "1" || "\(number)" == "0" {
        return NSNumber(value: !flag)
      }
      return number.intValue + 1
    default: return NSNull()
    }
  }
}
