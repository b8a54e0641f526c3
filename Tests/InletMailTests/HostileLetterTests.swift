import Foundation
import InletCore
import Testing

@testable import InletMail

/// Letters anyone can send to the sales mailbox, crafted to stop the daemon or to hold a core:
/// each is read to the end, in time proportional to its size. (Every one of these was a crash
/// or a quadratic loop: seconds to hours for the sizes below.)
@Suite("Hostile letters", .timeLimit(.minutes(1)))
struct HostileLetterTests {
  private static func letter(_ headers: String, body: String) -> MailLetter? {
    let raw = Array("From: Анна <anna@example.ru>\r\n\(headers)\r\n\r\n\(body)".utf8)
    switch MailNormaliser.normalise(raw, options: MailOptions()) {
    case .letter(let letter): return letter
    case .ignored(_, let letter): return letter
    case .unparseable: return nil
    }
  }

  @Test func dateWithAYearNoCalendarHas() throws {
    let read = try #require(
      Self.letter("Date: Mon, 1 Jan -999999999999 00:00:00 +0000\r\nSubject: Hi", body: "Hello"))
    #expect(read.date == nil)
    #expect(read.text == "Hello")
    #expect(MailDate.parse("Mon, 1 Jan 0 00:00:00 +0000") != nil)  // two-digit-year rules: 2000
    #expect(MailDate.parse("Mon, 1 Jan 99999 00:00:00 +0000") == nil)
    #expect(MailDate.parse("Tue, 29 Nov 2026 10:00:00 +0300") != nil)
  }

  @Test func subjectOfManyAdjacentEncodedWords() throws {
    let words = String(repeating: "=?utf-8?q?a?=", count: 100_000)
    let read = try #require(Self.letter("Subject: \(words)", body: "x"))
    #expect(read.subject == String(repeating: "a", count: 100_000))
  }

  @Test func longFlowedBody() throws {
    let read = try #require(
      Self.letter(
        "Content-Type: text/plain; charset=utf-8; format=flowed",
        body: String(repeating: "слово \r\n", count: 100_000) + "конец\r\n"))
    #expect(read.text.hasSuffix("слово конец"))
    #expect(read.text.utf8.count > 1_000_000)
  }

  @Test func htmlWithTagsThatNeverClose() throws {
    for piece in ["<a", "<!", "<a x=\"", "<a x='"] {
      let read = try #require(
        Self.letter(
          "Content-Type: text/html; charset=utf-8",
          body: "<p>Привет</p>" + String(repeating: piece, count: 100_000)))
      #expect(read.text.hasPrefix("Привет"), "\(piece)")
      #expect(read.text.utf8.count >= 100_000 * piece.utf8.count, "\(piece)")
    }
    // Many `<a` whose one `>` is inside a quote that nothing closes.
    let quoted = try #require(
      Self.letter(
        "Content-Type: text/html; charset=utf-8",
        body: "<p>Привет</p>" + String(repeating: "<a", count: 100_000) + " x=\">"))
    #expect(quoted.text.hasPrefix("Привет"))
    #expect(quoted.text.utf8.count >= 200_000)
    // A tag still closes where the `>` is.
    #expect(HTMLText.text(from: "<b>жирный</b> <i>текст</i>") == "жирный текст")
  }

  @Test func lineOfLegalFormsWithoutANameEnd() throws {
    for piece in ["ООО «", "ИП а "] {
      let read = try #require(
        Self.letter("Subject: Заявка", body: String(repeating: piece, count: 50_000)))
      #expect(read.companyName == nil, "\(piece)")
    }
    #expect(CompanyFinder.find(in: "Поставщик: ООО «Ромашка», ИНН 7707083893") == "ООО «Ромашка»")
    #expect(CompanyFinder.find(in: "ИП Иванов Иван Иванович, тел.") == "ИП Иванов Иван Иванович")
    // An unquoted name ends where the sentence goes on or the requisites start.
    for (text, name) in [
      ("Нужен счёт на ООО Ромашка на 10 насосов.", "ООО Ромашка"),
      ("ИП Иванов И.И. ИНН 500100732259", "ИП Иванов И.И."),
      ("ООО Ромашка тел. +7 495 123-45-67", "ООО Ромашка"),
      ("ООО Торговый дом Восток — поставщик насосов", "ООО Торговый дом Восток"),
      ("Плательщик: ООО Ромашка.", "ООО Ромашка"),
      ("ООО Строительная компания Альфа", "ООО Строительная компания Альфа"),
      ("ООО Хлеб и соль", "ООО Хлеб и соль"), ("ООО Дом на Неве", "ООО Дом на Неве"),
      ("ИП Петров Г. А.", "ИП Петров Г. А."), ("ООО Ромашка г. Москва", "ООО Ромашка"),
    ] {
      #expect(CompanyFinder.find(in: text) == name, "\(text)")
    }
  }

  @Test func addressGroupBuiltToBeSlow() throws {
    let group =
      String(repeating: "x", count: 200_000) + "@" + String(repeating: ":", count: 200_000)
    #expect(AddressParser.parse(Array(group.utf8)).count <= 1)
  }

  @Test func addressHeadersBuiltToBeSlow() throws {
    let quoted = String(repeating: "\"", count: 200_000)
    let parsed = AddressParser.parse(Array("a@b.ru (\(quoted))".utf8))
    #expect(parsed.first?.address == "a@b.ru")
    #expect(AddressParser.parse(Array(#""\"Иван\"" <ivan@example.ru>"#.utf8)).first?.name == "Иван")
  }

  @Test func bodyOfDigitsOneSpaceApart() throws {
    // A short run without a phone is searched again after its first space; a long one is
    // not, or this text would be read again from each of its 200,000 spaces.
    for piece in ["1 ", "1 --- ", "1 ---------- 1 "] {
      let read = try #require(
        Self.letter("Subject: Таблица", body: String(repeating: piece, count: 200_000)))
      #expect(read.phones.isEmpty, "\(piece)")
    }
  }

  @Test func bodyOfThousandsOfPhones() throws {
    let phones = (0..<20_000).map {
      String(format: "+7 916 %03d-%02d-%02d", $0 / 10_000, $0 / 100 % 100, $0 % 100)
    }
    let read = try #require(
      Self.letter("Subject: Прайс", body: phones.joined(separator: "\r\n")))
    #expect(read.phones.count == PhoneFinder.mostFound)
    #expect(read.phones.first == "+79160000000")
  }

  @Test func multipartWhoseBoundaryIsNeverThere() throws {
    var body = ""
    for n in 0..<2_000 { body += "--candidate\(n)\r\n" }
    body += String(repeating: "строка текста письма\r\n", count: 20_000)
    let read = try #require(
      Self.letter("Content-Type: multipart/mixed; boundary=\"absent\"", body: body))
    #expect(read.text.contains("строка текста письма"))
  }

  @Test func forwardedSenderWithACommaInTheEncodedName() throws {
    // «Иванов, Иван» encoded: decoded bare in the forward's header it read as two mailboxes.
    let inner =
      "From: =?UTF-8?B?0JjQstCw0L3QvtCyLCDQmNCy0LDQvQ==?= <ivan@client.ru>\r\n"
      + "Subject: =?UTF-8?B?0JfQsNC/0YDQvtGB?=\r\n\r\nНужен счёт на 10 стульев\r\n"
    let read = try #require(
      Self.letter(
        "Subject: Fwd: Запрос\r\nContent-Type: multipart/mixed; boundary=\"f\"",
        body: "--f\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСмотри ниже\r\n"
          + "--f\r\nContent-Type: message/rfc822\r\n\r\n\(inner)--f--\r\n"))
    #expect(read.forwardedFrom?.email == "ivan@client.ru")
    #expect(read.forwardedFrom?.name == "Иванов, Иван", "\(String(describing: read.forwardedFrom))")
  }

  @Test func forwardedLetterAfterABlankLineIsRead() throws {
    let read = try #require(
      Self.letter(
        "Subject: Fwd\r\nContent-Type: multipart/mixed; boundary=\"f\"",
        body: "--f\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСмотри\r\n"
          + "--f\r\nContent-Type: message/rfc822\r\n\r\n\r\n"
          + "From: Иван <ivan@client.ru>\r\nSubject: Запрос\r\n\r\nНужен счёт\r\n--f--\r\n"))
    #expect(read.forwardedFrom?.email == "ivan@client.ru")
    #expect(read.text.contains("Нужен счёт"), "\(read.text)")
  }

  @Test func bounceWrappedByAGatewayIsABounce() throws {
    // A relay wrapped the report in multipart/mixed; the returned letter inside is a lead's.
    let raw = """
      From: Почтовый шлюз <gateway@relay.example.ru>\r
      To: sales@example.ru\r
      Subject: Undelivered Mail\r
      Content-Type: multipart/mixed; boundary="outer"\r
      \r
      --outer\r
      Content-Type: multipart/report; report-type=delivery-status; boundary="inner"\r
      \r
      --inner\r
      Content-Type: text/plain; charset=utf-8\r
      \r
      Письмо не доставлено.\r
      --inner\r
      Content-Type: message/delivery-status\r
      \r
      Final-Recipient: rfc822; nobody@client.ru\r
      Action: failed\r
      --inner\r
      Content-Type: message/rfc822\r
      \r
      From: sales@example.ru\r
      Subject: Re: Заявка\r
      \r
      Перезвоните мне, +7 916 123-45-67\r
      --inner--\r
      --outer--\r

      """
    guard
      case .ignored(let reason, _) = MailNormaliser.normalise(
        Array(raw.utf8), options: MailOptions())
    else {
      Issue.record("a wrapped bounce was taken for a lead")
      return
    }
    #expect(reason == "bounce")
  }

  @Test func namedOnlyPartIsTheLetter() throws {
    // A form script's only part, named like a file, without a Content-Disposition.
    let read = try #require(
      Self.letter(
        "Subject: Заявка\r\nContent-Type: text/plain; charset=utf-8; name=\"message.txt\"",
        body: "Имя: Олег\r\nТелефон: +7 916 555-44-33\r\n"))
    #expect(read.text.contains("Олег"), "\(read.text)")
    #expect(read.attachments.isEmpty)
    // Named and after the text, it stays a file.
    let withFile = try #require(
      Self.letter(
        "Subject: Заявка\r\nContent-Type: multipart/mixed; boundary=\"m\"",
        body: "--m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nСм. файл\r\n"
          + "--m\r\nContent-Type: text/plain; charset=utf-8; name=\"list.txt\"\r\n\r\nсписок\r\n--m--\r\n"
      ))
    #expect(withFile.text == "См. файл")
    #expect(withFile.attachments.count == 1)
  }

  @Test func messagesNestedInMessages() throws {
    // 20 plain (7bit) messages inside each other, read where they stand in the letter (each
    // level was a copy of everything below it): the innermost one's text is intact.
    var inner = "From: deep@example.ru\r\nSubject: inner\r\n\r\nСамое глубокое письмо\r\n"
    for level in 0..<20 {
      inner = "From: l\(level)@example.ru\r\nContent-Type: message/rfc822\r\n\r\n" + inner
    }
    let raw = Array("From: anna@example.ru\r\nContent-Type: message/rfc822\r\n\r\n\(inner)".utf8)
    let message = try #require(MIMEParser.parse(raw))
    var part = message.root
    var depth = 0
    while let child = part.children.first {
      part = child
      depth += 1
    }
    #expect(depth == 21)
    #expect(part.headers.text("subject") == "inner")
    #expect(String(decoding: part.decodedBody, as: UTF8.self) == "Самое глубокое письмо\r\n")
    let read = try #require(Self.letter("Content-Type: message/rfc822", body: inner))
    #expect(read.from?.email == "anna@example.ru")
  }
}
