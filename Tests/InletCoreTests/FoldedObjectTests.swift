import Testing

@testable import InletCore

@Suite("Folded field names")
struct FoldedObjectTests {
  @Test(
    "a key is folded when lower-casing leaves it as it is",
    arguments: [
      ("email", true), ("e-mail_2", true), ("", true), ("имя", true), ("телефон", true),
      ("Email", false), ("EMAIL", false), ("eMail", false), ("Имя", false), ("ИМЯ", false),
      ("имЯ", false), ("Straße", false), ("straße", true), ("ǅ", false),
    ])
  func folded(key: String, expected: Bool) {
    #expect(key.isLowercase == expected)
    #expect(key.isLowercase == (key.lowercased() == key))
    #expect(key.lowercasedIfNeeded == key.lowercased())
  }

  /// The one-lookup path for lower-case bodies answers as the exact-then-folded rule does, for
  /// bodies with and without upper-case keys and paths spelled in either case.
  @Test func oneLookupAnswersAsTwo() throws {
    let keys = ["email", "Email", "EMAIL", "имя", "Имя", "phone", "tel", "name"]
    let paths = ["email", "Email", "EMAIL", "имя", "ИМЯ", "Phone", "phone", "name.first", "x"]
      .map { FieldPath($0)! }
    var generator = SystemRandomNumberGenerator()
    for round in 0..<500 {
      var members: [String: Value] = [:]
      for key in keys where Bool.random(using: &generator) {
        members[key] = .string("\(key)-\(round)")
      }
      if Bool.random(using: &generator) { members["name"] = .object(["first": .string("Анна")]) }
      let body = Value.object(members)
      let root = FoldedObject(body)
      #expect(root.keysFolded == members.keys.allSatisfy { $0.lowercased() == $0 })
      for path in paths {
        var expected = members[path.head]
        if expected == nil {
          expected = members.first { $0.key.lowercased() == path.foldedHead }.map { _ in
            // With several spellings of one folded key, any one of them may be taken.
            members.filter { $0.key.lowercased() == path.foldedHead }.values.first!
          }
        }
        for segment in path.segments.dropFirst() { expected = expected?.member(segment) }
        let found = body.value(at: path, root: root)
        if members.filter({ $0.key.lowercased() == path.foldedHead }).count > 1,
          members[path.head] == nil
        {
          let spellings = members.filter { $0.key.lowercased() == path.foldedHead }.values
          #expect(found.map { spellings.contains($0) } ?? false, "\(members) \(path)")
        } else {
          #expect(found == expected, "\(members) \(path)")
        }
      }
    }
  }
}

@Suite("Header names")
struct HeaderNameTests {
  @Test func lookupsIgnoreLetterCase() {
    let request = HookRequest(
      method: "post",
      headers: [
        ("Content-Type", "application/json"), ("x-signature", "abc"), ("X-API-KEY", "k"),
        ("X-Имя", "v"),
      ])
    #expect(request.headers.map(\.name) == ["content-type", "x-signature", "x-api-key", "x-имя"])
    #expect(request.header("content-type") == "application/json")
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("X-Signature") == "abc")
    #expect(request.header("x-api-key") == "k")
    #expect(request.header("X-ИМЯ") == "v")
    #expect(request.header("x-missing") == nil)
    for name in ["a", "content-type", "Content-Type", "X-ИМЯ", "x-имя", "", "ǅ"] {
      #expect(name.lowercasedIfNeeded == name.lowercased())
    }
  }
}

@Suite("Field paths and member names")
struct FieldPathParsingTests {
  /// Splitting on characters, as paths were read before they were split on bytes.
  static func reference(_ text: String) -> [String] {
    var segments: [String] = []
    var current = ""
    for character in text {
      if character == "." || character == "[" || character == "]" {
        if !current.isEmpty { segments.append(current) }
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { segments.append(current) }
    return segments
  }

  @Test func pathsSplitAsByCharacters() {
    var generator = SystemRandomNumberGenerator()
    let pieces = ["a", "Имя", ".", "[", "]", "0", "😀", "contact_info", "E", "ё", " ", "[]", ".."]
    for _ in 0..<3000 {
      let text = (0..<Int.random(in: 0...7, using: &generator)).map { _ in
        pieces.randomElement(using: &generator)!
      }.joined()
      let expected = Self.reference(text)
      let path = FieldPath(text)
      #expect(path?.segments ?? [] == expected, "\(text)")
      #expect((path == nil) == expected.isEmpty)
      if let path { #expect(path.foldedHead == expected[0].lowercased()) }
    }
    #expect(FieldPath("fields[email][value]")?.segments == ["fields", "email", "value"])
    #expect(FieldPath("Contact.Телефон")?.foldedHead == "contact")
  }

  @Test func aSelectorPicksTheFirstMatchingItem() throws {
    let chat: Value = .object([
      "messages": .array([
        .object(["type": "agent", "message": "Здравствуйте!"]),
        .object(["type": "visitor", "message": "Нужна доставка"]),
        .object(["type": "visitor", "message": "Ещё вопрос"]),
      ])
    ])
    let path = try #require(FieldPath("messages.?type=visitor.message"))
    #expect(chat.value(at: path) == "Нужна доставка")
    #expect(chat.value(at: try #require(FieldPath("messages.?type=client.message"))) == nil)
    #expect(chat.value(at: try #require(FieldPath("messages.?type.message"))) == nil)
    #expect(chat.value(at: try #require(FieldPath("messages.1.message"))) == "Нужна доставка")
  }

  @Test func memberNamesFoldAsLowercased() {
    var generator = SystemRandomNumberGenerator()
    let pieces = [
      "a", "A", "z", "Z", "_", "-", "1", "И", "и", "\u{212A}", "k", "K", "ß", "İ", "@", "[",
    ]
    for _ in 0..<5000 {
      func random() -> String {
        (0..<Int.random(in: 0...4, using: &generator)).map { _ in
          pieces.randomElement(using: &generator)!
        }.joined()
      }
      let key = random()
      let folded = Bool.random(using: &generator) ? key.lowercased() : random().lowercased()
      #expect(key.lowercases(to: folded) == (key.lowercased() == folded), "\(key) \(folded)")
    }
    #expect("\u{212A}ey".lowercases(to: "key"))
    #expect(Value.object(["Phone": .string("1")]).member("PHONE") == .string("1"))
  }
}
