import Foundation
import Testing

@testable import InletCore

@Suite("ValueJSON")
struct ValueJSONTests {
  @Test(
    "valid documents",
    arguments: [
      (
        #"{"a":1,"b":[true,false,null],"c":{"d":"е"}}"#,
        Value.object([
          "a": .number("1"), "b": .array([.bool(true), .bool(false), .null]),
          "c": .object(["d": .string("е")]),
        ])
      ),
      (
        #" [ -0.5e+3 , 1.50, 18446744073709551616 ] "#,
        .array([.number("-0.5e+3"), .number("1.50"), .number("18446744073709551616")])
      ),
      (#""\u0418\u0432\u0430\u043d \ud83d\ude00 \"q\" \\ \/ \n""#, .string("Иван 😀 \"q\" \\ / \n")),
      ("[]", .array([])),
      ("{}", .object([:])),
    ])
  func valid(text: String, expected: Value) throws {
    #expect(try ValueJSON.parse(Array(text.utf8)) == expected)
  }

  @Test(
    "invalid documents are refused",
    arguments: [
      "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"open",
      "\"\\x\"", "\"\\ud800\"", "[1] 2", "{\"a\":1}}", "\"tab\there\"", "nul",
    ])
  func invalid(text: String) {
    #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse(Array(text.utf8)) }
  }

  @Test("invalid UTF-8 inside a string is refused")
  func invalidUTF8() {
    #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse([0x22, 0xD0, 0x22]) }
    // The same after an escape (the string is then built byte by byte).
    #expect(throws: ValueJSON.SyntaxError.self) {
      try ValueJSON.parse([0x22, 0x61, 0x5C, 0x6E, 0xD0, 0x22])
    }
  }

  @Test("strings with and without escapes read as Foundation reads them, 3,000 random ones")
  func stringsAgainstFoundation() throws {
    var generator = SystemRandomNumberGenerator()
    let pieces = [
      "a", "Иван", "😀", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u0418", "\\ud83d\\ude00", "\\t",
      "q\\u00e9", "ё",
    ]
    for _ in 0..<3000 {
      let body = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
        pieces.randomElement(using: &generator)!
      }.joined()
      let text = "[\"" + body + "\"]"
      let ours = try ValueJSON.parse(Array(text.utf8))
      let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
      #expect(ours == .array([.string(theirs?.first ?? "?")]), "\(text)")
    }
  }

  @Test("serialising and parsing again gives the same tree; keys sorted; control escaped")
  func roundTrip() throws {
    let value = Value.object([
      "b": .array([.number("12345678901234567890"), .string("a\u{1}b\"c")]),
      "a": .bool(true), "c": .null, "d": .number("not a number"),
    ])
    let text = String(decoding: ValueJSON.serialize(value), as: UTF8.self)
    #expect(text.hasPrefix(#"{"a":true,"b":[12345678901234567890,"a\u0001b\"c"]"#))
    #expect(text.contains(#""d":"not a number""#))
    var expected = value
    if case .object(var members) = expected {
      members["d"] = .string("not a number")
      expected = .object(members)
    }
    #expect(try ValueJSON.parse(ValueJSON.serialize(value)) == expected)
  }

  @Test("deep nesting is refused instead of overflowing the stack")
  func depth() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse(Array(deep.utf8)) }
  }
}

@Suite("Transport metadata JSON")
struct TransportJSONTests {
  @Test("written member by member, it is the Value form's bytes, for 2,000 random requests")
  func transportJSONEqualsValueForm() throws {
    let pieces = ["a", "B", "x-id", "Имя", "q\"uote", "back\\slash", "line\nbreak", "", "/p", "é"]
    var generator = SystemRandomNumberGenerator()
    func text() -> String {
      (0..<Int.random(in: 0...3, using: &generator)).map { _ in
        pieces.randomElement(using: &generator)!
      }.joined()
    }
    for _ in 0..<2_000 {
      let request = HookRequest(
        method: ["post", "GET"].randomElement(using: &generator)!, subpath: text(),
        query: (0..<Int.random(in: 0...3, using: &generator)).map { _ in (text(), text()) },
        headers: (0..<Int.random(in: 0...4, using: &generator)).map { _ in (text(), text()) }
          + (Bool.random(using: &generator) ? [("Content-Type", "application/json")] : []),
        remoteAddress: Bool.random(using: &generator) ? "127.0.0.1" : nil)
      let metadata = TransportMetadata(request)
      var members: [String: Value] = [
        "method": .string(metadata.method), "path": .string(metadata.path),
        "query": .object(metadata.query.mapValues { .string($0) }),
        "headers": .object(metadata.headers.mapValues { .string($0) }),
      ]
      if let address = metadata.remoteAddress { members["remote_address"] = .string(address) }
      if let type = metadata.contentType { members["content_type"] = .string(type) }
      let expected = String(decoding: ValueJSON.serialize(.object(members)), as: UTF8.self)
      #expect(metadata.jsonText == expected)
      #expect(try ValueJSON.parse(Array(metadata.jsonText.utf8)) == .object(members))
    }
  }

  @Test("numbers keep their value through JSONEncoder and JSONDecoder (the API's)")
  func numbersThroughCodable() throws {
    for (written, read) in [
      ("18446744073709551616", "18446744073709551616"), ("1500.50", "1500.5"), ("0.1", "0.1"),
      ("12", "12"), ("-3.25", "-3.25"),
      ("123456789012345678901234567890", "123456789012345678901234567890"),
    ] {
      let data = try JSONEncoder().encode(["n": Value.number(written)])
      let text = String(decoding: data, as: UTF8.self)
      #expect(text == #"{"n":\#(read)}"#, "\(written)")
      let back = try JSONDecoder().decode([String: Value].self, from: data)
      #expect(back["n"] == .number(read), "\(written)")
    }
    // Beyond what a Decimal holds: still a number.
    let huge = try JSONEncoder().encode(["n": Value.number("1e300")])
    #expect(try JSONDecoder().decode([String: Value].self, from: huge)["n"] != nil)
  }
}
