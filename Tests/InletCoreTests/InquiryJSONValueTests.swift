import Foundation
import Testing

@testable import InletCore

@Suite("Inquiry JSON without JSONEncoder")
struct InquiryJSONValueTests {
  static let full = Inquiry(
    id: "42", status: "accepted", channel: "mango", kind: .missedCall,
    receivedAt: Date(timeIntervalSince1970: 1_795_000_000.75), subject: "Звонок \"важный\"",
    text: "Строка 1\nстрока 2\t/путь\\ \u{1}",
    sender: .init(
      name: "Иван", email: "ivan@пример.рф", phone: "+79161234567",
      messenger: .init(network: "telegram", id: "123456789012", username: "ivan")),
    company: .init(name: "ООО «Ромашка»", inn: "7707083893"),
    attachments: [.init(id: "7", name: "ТЗ.pdf", contentType: "application/pdf", size: 1024)],
    extra: [
      "utm": .object(["source": "yandex", "n": .number("12"), "f": .number("1.5")]),
      "list": .array([.bool(true), .null, .string("x")]),
    ],
    call: .init(
      direction: "in", durationS: 0, recordingURL: "https://x.ru/r.mp3?a=1&b=2",
      employee: "101", did: "+74951234567",
      startedAt: Date(timeIntervalSince1970: 1_795_000_000)),
    callbacks: [
      .init(
        channel: "mango", callID: "out-1", at: Date(timeIntervalSince1970: 1_795_000_300),
        answered: true, employee: "101", durationS: 60),
      .init(
        channel: "mango", callID: "out-2", at: Date(timeIntervalSince1970: 1_795_000_400),
        answered: false),
    ],
    messages: [
      .init(receivedAt: Date(timeIntervalSince1970: 1_795_000_100), text: nil, rawID: "9")
    ],
    returning: true, thread: .init(inquiryID: "40"),
    match: .init(
      clientID: "c1", contactID: nil, interestIDs: ["i1", "i2"], by: ["phone"],
      conflicts: ["inn"], suggestedAction: .interactionOnInterest, potentialClient: false,
      acceptedInquiryID: "38"),
    source: .init(rawID: "5", messageID: nil, callID: "call-1"),
    acceptance: .init(
      action: "interaction_on_interest", by: "crm",
      at: Date(timeIntervalSince1970: 1_795_000_200), clientID: "c1", interestID: "i1",
      comment: "перезвонить"),
    reason: "x")

  @Test("the Value form equals the Codable form, member for member")
  func sameAsCodable() throws {
    for inquiry in [Self.full, Inquiry(channel: "site", kind: .form, receivedAt: Date())] {
      let codable = try ValueJSON.parse(Array(try InquiryJSON.encoder().encode(inquiry)))
      #expect(codable == inquiry.jsonValue)
    }
  }

  @Test("the directly written bytes are the Value form's, for 2,000 mixes of members")
  func directBytesEqualValueForm() {
    var generator = SystemRandomNumberGenerator()
    func maybe<T>(_ value: T) -> T? { Bool.random(using: &generator) ? value : nil }
    let texts = ["", "Нужен счёт", "a\"b\\c\n\t\u{1}", "🙂 ok", "</script>"]
    func text() -> String { texts.randomElement(using: &generator)! }
    var mismatches = 0
    for round in 0..<2000 {
      var inquiry =
        round == 0 ? Self.full : Inquiry(channel: text(), kind: .form, receivedAt: Date())
      if round > 0 {
        inquiry.id = text()
        inquiry.subject = maybe(text())
        inquiry.text = maybe(text())
        inquiry.reason = maybe(text())
        inquiry.returning = Bool.random(using: &generator)
        inquiry.sender = .init(
          name: maybe(text()), email: maybe(text()), phone: maybe(text()),
          messenger: maybe(.init(network: text(), id: maybe(text()), username: maybe(text()))))
        inquiry.company = maybe(.init(name: maybe(text()), inn: maybe(text())))
        inquiry.extra =
          Bool.random(using: &generator) ? [:] : [text(): .string(text()), "n": .number("3")]
        inquiry.match = .init(
          clientID: maybe(text()), contactID: maybe(text()), interestIDs: maybe([text()]) ?? [],
          by: maybe([text(), text()]) ?? [], conflicts: maybe([text()]) ?? [],
          suggestedAction: SuggestedAction.allCases.randomElement(using: &generator)!,
          potentialClient: Bool.random(using: &generator))
        inquiry.source = .init(
          rawID: maybe(text()), messageID: maybe(text()), callID: maybe(text()))
        inquiry.thread = maybe(.init(inquiryID: text()))
        if Bool.random(using: &generator) { inquiry.attachments = Self.full.attachments }
        if Bool.random(using: &generator) { inquiry.messages = Self.full.messages }
        if Bool.random(using: &generator) { inquiry.call = Self.full.call }
        if Bool.random(using: &generator) { inquiry.callbacks = Self.full.callbacks }
        if Bool.random(using: &generator) { inquiry.acceptance = Self.full.acceptance }
      }
      let expected = ValueJSON.serialize(inquiry.jsonValue)
      if inquiry.jsonBytes != expected { mismatches += 1 }
      // Encoded ahead of time: the same bytes, also when `extra` or `text` changed afterwards
      // (then they are encoded again, not copied stale).
      let parts = InquiryJSONParts(inquiry)
      if inquiry.jsonBytes(reusing: parts) != expected { mismatches += 1 }
      var changed = inquiry
      if Bool.random(using: &generator) { changed.extra["late"] = .string(text()) }
      if Bool.random(using: &generator) { changed.text = maybe(text() + "!") }
      if changed.jsonBytes(reusing: parts) != ValueJSON.serialize(changed.jsonValue) {
        mismatches += 1
      }
    }
    #expect(mismatches == 0)
  }

  @Test("the bytes decode back to the same inquiry (dates to the second)")
  func roundTrip() throws {
    let decoded = try InquiryJSON.decoder().decode(
      Inquiry.self, from: Data(Self.full.jsonBytes))
    var expected = Self.full
    expected.receivedAt = Date(timeIntervalSince1970: 1_795_000_000)
    #expect(decoded == expected)
  }

  @Test("timestamps are RFC 3339 UTC as JSONEncoder writes them")
  func timestamps() {
    #expect(Inquiry.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    let formatter = ISO8601DateFormatter()
    for seconds in [1_795_000_000.99, 951_782_400, 4_102_444_799, 1_234_567_890.5] {
      let date = Date(timeIntervalSince1970: seconds)
      #expect(Inquiry.timestamp(date) == formatter.string(from: date))
    }
  }
}
