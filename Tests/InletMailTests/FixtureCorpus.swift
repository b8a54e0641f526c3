import Foundation
import InletMail
import Testing

/// The fixture letters under `Fixtures/mail` and their expected fields.
enum FixtureCorpus {
  struct Fixture: Sendable, CustomTestStringConvertible {
    var name: String
    var raw: [UInt8]
    var expectedJSON: Data

    var testDescription: String { name }

    var expected: [String: Any] {
      (try? JSONSerialization.jsonObject(with: expectedJSON)) as? [String: Any] ?? [:]
    }
  }

  static var directory: URL {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
      .appendingPathComponent("mail")
  }

  /// Every `NN-name.eml` with its `NN-name.expected.json`, sorted by name.
  static let all: [Fixture] = {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return files.filter { $0.hasSuffix(".eml") }.sorted().compactMap { file in
      let name = String(file.dropLast(".eml".count))
      let raw = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path)
      let json = FileManager.default.contents(
        atPath: directory.appendingPathComponent(name + ".expected.json").path)
      guard let raw, let json else { return nil }
      return Fixture(name: name, raw: Array(raw), expectedJSON: json)
    }
  }()

  /// Letters kept from fuzzing crashes: they only have to normalise without trapping.
  static let fuzzRegressions: [[UInt8]] = {
    let folder = directory.appendingPathComponent("fuzz-crashes")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return files.sorted().compactMap {
      FileManager.default.contents(atPath: folder.appendingPathComponent($0).path).map(Array.init)
    }
  }()

  /// The options a fixture asks for; the company's own domain is always `example.ru`.
  static func options(_ expected: [String: Any]) -> MailOptions {
    var options = MailOptions(ownAddresses: ["@example.ru"])
    if let custom = expected["options"] as? [String: Any] {
      if let bytes = custom["max_attachment_bytes"] as? Int { options.maxAttachmentBytes = bytes }
      if let count = custom["max_attachments"] as? Int { options.maxAttachments = count }
      if let own = custom["own_addresses"] as? [String] { options.ownAddresses = own }
      if let allowed = custom["allow_senders"] as? [String] { options.allowSenders = allowed }
    }
    return options
  }
}
