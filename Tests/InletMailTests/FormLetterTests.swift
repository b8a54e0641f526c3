import Foundation
import Testing

@testable import InletMail

/// Form notifications told from people's letters, and their fields read by label.
@Suite("Form letters")
struct FormLetterTests {
  private static func normalise(_ lines: [String]) -> MailOutcome {
    MailNormaliser.normalise(
      Array(lines.joined(separator: "\r\n").utf8),
      options: MailOptions(ownAddresses: ["@example.ru"]))
  }

  @Test("a byte-order mark before the first field does not hide it")
  func byteOrderMarkBeforeTheFirstField() {
    let outcome = Self.normalise([
      "From: Сайт <noreply@stroy-site.ru>", "To: sales@example.ru", "Subject: Заявка с сайта",
      "Content-Type: text/plain; charset=utf-8", "", "\u{FEFF}Имя: Иван",
      "Телефон: +7 916 222-33-44",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.senderName == "Иван")
    #expect(letter.phones == ["+79162223344"])
    #expect(letter.text.unicodeScalars.first != "\u{FEFF}")
    #expect(Charset.decode(Array("\u{FEFF}Привет".utf8), declared: "utf-8") == "Привет")
    #expect(Charset.decode(Array("При\u{FEFF}вет".utf8), declared: nil) == "При\u{FEFF}вет")
  }

  @Test(
    "a From encoded whole, address included (PHP's mb_encode_mimeheader), still names the robot; the form's e-mail is the visitor's"
  )
  func fromEncodedWhole() {
    let encoded = Data("Сайт <noreply@stroy-site.ru>".utf8).base64EncodedString()
    #expect(
      AddressParser.parse(Array("=?UTF-8?B?\(encoded)?=".utf8))
        == [ParsedAddress(name: "Сайт", address: "noreply@stroy-site.ru")])
    // Decoded, the name's own comma or colon is no list or group.
    for name in ["Иванов, Иван", "Ромашка: отдел продаж", "\"Ромашка; ООО\""] {
      let whole = Data("\(name) <ivan@x.ru>".utf8).base64EncodedString()
      #expect(
        AddressParser.parse(Array("=?UTF-8?B?\(whole)?=".utf8))
          == [
            ParsedAddress(name: name.replacingOccurrences(of: "\"", with: ""), address: "ivan@x.ru")
          ])
    }
    let outcome = Self.normalise([
      "From: =?UTF-8?B?\(encoded)?=", "To: sales@example.ru", "Subject: Заявка с сайта",
      "Content-Type: text/plain; charset=utf-8", "", "Имя: Иван", "E-mail: ivan@mail.ru",
      "Телефон: +7 916 222-33-44",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.from?.email == "noreply@stroy-site.ru")
    #expect(letter.sender?.email == "ivan@mail.ru")
    #expect(letter.senderName == "Иван")
    // No readable From at all: the form's own field still gives the visitor's address.
    let unreadable = Self.normalise([
      "From: =?UTF-8?B?\(Data("Сайт".utf8).base64EncodedString())?=", "To: sales@example.ru",
      "Subject: Заявка с сайта", "Content-Type: text/plain; charset=utf-8", "", "Имя: Иван",
      "E-mail: ivan@mail.ru", "Телефон: +7 916 222-33-44",
    ])
    guard case .letter(let other) = unreadable else {
      Issue.record("expected a letter, got \(unreadable)")
      return
    }
    #expect(other.from == nil)
    #expect(other.sender?.email == "ivan@mail.ru")
  }

  @Test("an obsolete `From :` first line is the sender's field, not an mbox envelope")
  func obsoleteFromWithBlankBeforeColon() {
    let outcome = Self.normalise([
      "From : Иван <ivan@client.ru>", "To: sales@example.ru", "Subject: Нужен счёт",
      "Content-Type: text/plain; charset=utf-8", "", "Добрый день! Нужен счёт на 10 стульев.",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.sender?.email == "ivan@client.ru")
    // The envelope line of an mbox file is still passed over.
    let mbox = Self.normalise([
      "From ivan@client.ru Mon Nov 30 10:00:00 2026", "From: Иван <ivan@client.ru>",
      "To: sales@example.ru", "Subject: Нужен счёт", "", "Нужен счёт.",
    ])
    guard case .letter(let boxed) = mbox else {
      Issue.record("expected a letter, got \(mbox)")
      return
    }
    #expect(boxed.sender?.email == "ivan@client.ru")
    #expect(boxed.subject == "Нужен счёт")
  }

  @Test("a site's script sending as one of our addresses under any subject is a visitor's form")
  func ownAddressFormUnderAnySubject() {
    for subject in ["Заказать звонок", "Обратная связь", "Сообщение", "Новое письмо"] {
      let outcome = Self.normalise([
        "From: info@example.ru", "To: sales@example.ru", "Subject: \(subject)",
        "X-Mailer: PHP/8.1.2", "Content-Type: text/plain; charset=utf-8", "",
        "Имя: Иван", "Телефон: +7 916 222-33-44", "Сообщение: перезвоните после обеда",
      ])
      guard case .letter(let letter) = outcome else {
        Issue.record("\(subject): expected a lead, got \(outcome)")
        continue
      }
      #expect(letter.sender == nil, "\(subject)")
      #expect(letter.senderName == "Иван", "\(subject)")
      #expect(letter.phones == ["+79162223344"], "\(subject)")
    }
    // A colleague's short letter, its signature all but the whole body: our own mail.
    for signature in [
      ["Тел.: +7 495 111-22-33", "E-mail: petr@example.ru"],
      ["Тел.: +7 495 111-22-33", "Моб.: +7 916 111-22-33"],
    ] {
      let short = Self.normalise(
        [
          "From: Пётр Сидоров <petr@example.ru>", "To: sales@example.ru", "Subject: Счёт",
          "Content-Type: text/plain; charset=utf-8", "", "Счёт во вложении.", "Пётр Сидоров",
        ] + signature)
      guard case .ignored(let reason, _) = short else {
        Issue.record("\(signature): expected our own letter to be ignored, got \(short)")
        continue
      }
      #expect(reason.contains("own"), "\(reason)")
    }
    // A colleague's own letter with a signature is still our own mail, no lead.
    let colleague = Self.normalise([
      "From: Пётр Сидоров <petr@example.ru>", "To: sales@example.ru", "Subject: Отчёт",
      "Content-Type: text/plain; charset=utf-8", "",
      "Коллеги, добрый день!", "Отчёт за неделю во вложении, обсудим завтра на планёрке.",
      "Прошу всех подготовить цифры по своим клиентам.", "", "--", "Пётр Сидоров",
      "Тел.: +7 495 111-22-33", "E-mail: petr@example.ru",
    ])
    guard case .ignored(let reason, _) = colleague else {
      Issue.record("expected our own letter to be ignored, got \(colleague)")
      return
    }
    #expect(reason.contains("own"), "\(reason)")
  }

  @Test("a label alone on its line takes the next line as its value (table cells, <br>)")
  func labelsAboveTheirValues() {
    let fields = FormMailer.parseFields(
      """
      Новая заявка

      Имя:

      Светлана
      Телефон:
      +7 916 222-33-44
      Удобное время: 10:30
      Комментарий:
      E-mail: sveta@mail.ru
      Ваше имя
      Пётр
      Телефон
      """)
    // «Комментарий:» left empty: the next line is a field of its own, not its value.
    #expect(fields.map(\.label) == ["Имя", "Телефон", "Удобное время", "E-mail", "Ваше имя"])
    #expect(fields.first { $0.label == "Имя" }?.value == "Светлана")
    #expect(fields.first { $0.label == "Телефон" }?.value == "+7 916 222-33-44")
    #expect(fields.first { $0.label == "E-mail" }?.value == "sveta@mail.ru")
    #expect(fields.first { $0.label == "Ваше имя" }?.value == "Пётр")

    // A form notification laid out as a table, each cell a paragraph, sent by a robot: the
    // visitor, not the robot, and no address (a callback request).
    let outcome = Self.normalise([
      "From: Менеджер сайта <robot@old-site.ru>", "To: sales@example.ru",
      "Subject: Заявка с сайта", "Content-Type: text/html; charset=utf-8", "",
      "<table><tr><td><p><b>Имя:</b></p></td><td><p>Светлана</p></td></tr>",
      "<tr><td><p><b>Телефон:</b></p></td><td><p>+7 916 222-33-44</p></td></tr></table>",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.sender == nil)
    #expect(letter.senderName == "Светлана")
    #expect(letter.phones == ["+79162223344"])
  }

  @Test("the company's own number quoted in a letter is not the sender's")
  func ownPhonesAreNotTheSenders() {
    let letter = [
      "From: Иван <ivan@stroy.ru>", "To: sales@example.ru", "Subject: Счёт",
      "Content-Type: text/plain; charset=utf-8", "",
      "Не дозвонился по 8 (495) 123-45-67 из вашего объявления, выставьте счёт.", "",
      "С уважением, Иван", "+7 916 765-43-21",
    ].joined(separator: "\r\n")
    var options = MailOptions(ownAddresses: ["@example.ru"])
    let before = Self.read(letter, options)
    #expect(before?.phones.first == "+74951234567", "without the option: the first number")
    options.ownPhones = ["+74951234567"]
    #expect(Self.read(letter, options)?.phones == ["+79167654321"])
  }

  @Test("the company's own INN named in a letter is not the sender's company")
  func ownINNsAreNotTheSenders() {
    // An invoice request names the seller first, the buyer in the signature.
    let letter = [
      "From: Ирина <buh@romashka.ru>", "To: sales@example.ru", "Subject: Счёт",
      "Content-Type: text/plain; charset=utf-8", "",
      "Прошу выставить счёт от ООО «Пример» (ИНН 7707083893) на 10 стульев.", "",
      "С уважением, Ирина", "ООО «Ромашка», ИНН 5001007329",
    ].joined(separator: "\r\n")
    var options = MailOptions(ownAddresses: ["@example.ru"])
    // Without the option: the signature's company with its own INN (not the seller's, named
    // first in the text).
    let before = Self.read(letter, options)
    #expect(before?.inns == ["5001007329", "7707083893"])
    #expect(before?.companyName == "ООО «Ромашка»")
    options.ownINNs = ["7707083893"]
    #expect(Self.read(letter, options)?.inns == ["5001007329"])
  }

  /// The letter `text` normalises to (an issue recorded when it is no lead's letter).
  /// A callback widget's notification gives only the phone, and may come through a bulk-mail
  /// relay: a lead when its subject is a form's; a shop's newsletter with a phone in its
  /// footer stays a mailing list's (fixture 100).
  @Test func phoneOnlyCallbackThroughARelay() {
    func letter(subject: String) -> [UInt8] {
      Array(
        [
          "From: noreply@widget-service.ru", "To: sales@example.ru",
          "Subject: =?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?=",
          "List-Unsubscribe: <https://widget-service.ru/u/1>", "Auto-Submitted: auto-generated",
          "Content-Type: text/plain; charset=utf-8", "", "Телефон: +7 916 123-45-67",
          "Комментарий: перезвоните после обеда",
        ].joined(separator: "\r\n").utf8)
    }
    let options = MailOptions(ownAddresses: ["@example.ru"])
    guard
      case .letter(let read) = MailNormaliser.normalise(
        letter(subject: "Заказ звонка с сайта"), options: options)
    else {
      Issue.record("the callback is no lead")
      return
    }
    #expect(read.phones == ["+79161234567"])
    #expect(read.sender == nil)
    guard
      case .ignored = MailNormaliser.normalise(letter(subject: "Скидки недели"), options: options)
    else {
      Issue.record("a newsletter became a lead")
      return
    }
  }

  /// sales@ as a Google Group delivering to the mailbox polled (its login, the only own
  /// address by default): the group's list headers do not make a client's letter a mailing
  /// list's. Named by `List-Id` (`sales.example.ru`) or by `List-Post`; a foreign list stays one.
  @Test func ownGroupAddressIsNoMailingList() {
    func letter(_ listHeaders: [String]) -> [UInt8] {
      Array(
        ([
          "From: Иван <ivan@client.ru>", "To: sales@example.ru", "Subject: Нужен счёт",
          "Precedence: list",
        ] + listHeaders + [
          "Content-Type: text/plain; charset=utf-8", "",
          "Добрый день! Нужен счёт на 10 стульев, тел. +7 916 123-45-67.",
        ]).joined(separator: "\r\n").utf8)
    }
    let options = MailOptions(ownAddresses: ["sales@example.ru"])
    for headers in [
      ["List-Id: <sales.example.ru>"],
      ["List-Id: Продажи <prodazhi.groups.example.ru>", "List-Post: <mailto:Sales@Example.ru>"],
    ] {
      guard case .letter(let read) = MailNormaliser.normalise(letter(headers), options: options)
      else {
        Issue.record("\(headers): not a letter")
        continue
      }
      #expect(read.sender?.email == "ivan@client.ru")
    }
    for headers in [
      ["List-Id: <news.shop.ru>", "List-Post: <mailto:news@shop.ru>"],
      ["List-Id: <sales.other.ru>"],
    ] {
      guard
        case .ignored(let reason, _) = MailNormaliser.normalise(letter(headers), options: options)
      else {
        Issue.record("\(headers): not ignored")
        continue
      }
      #expect(reason == "mailing_list")
    }
  }

  /// A person's letter from a personal box whose subject looks like a form's («Заявка на
  /// поставку») and whose signature gives the company's address: the person stays the sender.
  @Test func personalLetterWithACompanySignature() {
    let letter = [
      "From: Иван Петров <ivan.petrov@gmail.com>", "To: sales@example.ru",
      "Subject: =?UTF-8?B?" + Data("Заявка на поставку".utf8).base64EncodedString() + "?=",
      "Content-Type: text/plain; charset=utf-8", "",
      "Добрый день!", "Просим рассчитать поставку 20 насосов ЦНС до Казани.",
      "Нужна доставка до конца месяца.", "",
      "С уважением,", "Иван Петров", "Тел.: +7 916 123-45-67", "E-mail: zakupki@romashka.ru",
    ].joined(separator: "\r\n")
    let read = Self.read(letter, MailOptions(ownAddresses: ["@example.ru"]))
    #expect(read?.sender == MailAddress(name: "Иван Петров", email: "ivan.petrov@gmail.com"))
    #expect(read?.formMailer == nil)
    #expect(read?.phones == ["+79161234567"])
  }

  /// A site's notification sent from its owner's own (not a robot's) box, the visitor's
  /// message signed with the visitor's address: the visitor is the sender, not the box.
  @Test func formWhoseMessageIsSigned() {
    let letter = [
      "From: Интернет-магазин <shop@romashka.ru>", "To: sales@example.ru",
      "Subject: =?UTF-8?B?" + Data("Заявка с сайта".utf8).base64EncodedString() + "?=",
      "Content-Type: text/plain; charset=utf-8", "",
      "Имя: Иван", "Телефон: +7 916 123-45-67", "E-mail: ivan@mail.ru",
      "Сообщение: Нужен расчёт.", "", "С уважением, Иван", "ivan@mail.ru",
    ].joined(separator: "\r\n")
    let read = Self.read(letter, MailOptions(ownAddresses: ["@example.ru"]))
    #expect(read?.sender?.email == "ivan@mail.ru")
  }

  /// A site's form sent from its owner's yandex.ru box for a visitor with a yandex.ru address:
  /// two people at a public mail service, so the visitor is the sender, not the box.
  @Test func formFromAFreeMailBox() {
    let letter = [
      "From: zayavki.site@yandex.ru", "To: sales@example.ru",
      "Subject: =?UTF-8?B?" + Data("Заявка с сайта".utf8).base64EncodedString() + "?=",
      "Content-Type: text/plain; charset=utf-8", "",
      "Имя: Иван", "Телефон: +7 916 123-45-67", "E-mail: ivan@yandex.ru",
      "Сообщение: Нужен расчёт",
    ].joined(separator: "\r\n")
    let read = Self.read(letter, MailOptions(ownAddresses: ["@example.ru"]))
    #expect(read?.sender == MailAddress(name: "Иван", email: "ivan@yandex.ru"))
    #expect(read?.formMailer == "form")
  }

  /// A form builder's HTML table without colons (a row a label cell and a value cell).
  @Test func htmlTableWithoutColons() {
    let letter = [
      "From: noreply@quiz-builder.ru", "To: sales@example.ru", "Subject: New lead",
      "Content-Type: text/html; charset=utf-8", "",
      "<table><tr><td>Имя</td><td>Иван Петров</td></tr>",
      "<tr><td>Телефон</td><td>+7 916 123-45-67</td></tr>",
      "<tr><td>Email</td><td>ivan@client.ru</td></tr>",
      "<tr><td>Комментарий</td><td>Нужна доставка, звонить после 19:00</td></tr></table>",
    ].joined(separator: "\r\n")
    let read = Self.read(letter, MailOptions(ownAddresses: ["@example.ru"]))
    #expect(read?.sender == MailAddress(name: "Иван Петров", email: "ivan@client.ru"))
    #expect(read?.phones == ["+79161234567"])
    #expect(read?.formFields["Комментарий"] == "Нужна доставка, звонить после 19:00")
  }

  /// What a form orders names neither the company nor the person.
  @Test func productFieldsAreNoCompany() {
    for label in [
      "Наименование товара", "Фирма-производитель", "Сайт компании", "Product name",
      "Марка оборудования",
    ] {
      #expect(FormMailer.kindOf(label: label) == nil, "\(label)")
    }
    for (label, kind) in [
      ("Наименование организации", FormMailer.FieldKind.company), ("Компания", .company),
      ("Ваше имя", .name), ("Название компании", .company),
    ] {
      #expect(FormMailer.kindOf(label: label) == kind, "\(label)")
    }
  }

  /// A client forwarding another company's letter below contacts of their own: the lead's
  /// phone, INN and company are the client's, not the forwarded one's.
  @Test func clientForwardingAnotherCompanysLetter() {
    let letter = [
      "From: Пётр <petrov@stroyka.ru>", "To: sales@example.ru", "Subject: Fwd: КП",
      "Content-Type: text/plain; charset=utf-8", "",
      "Сможете дешевле?", "", "--", "Пётр Петров", "ООО «Стройка»", "тел. +7 916 111-22-33", "",
      "---------- Forwarded message ---------", "From: Отдел продаж <sales@konkurent.ru>",
      "Date: Mon, 30 Nov 2026 at 10:00", "Subject: КП", "To: <petrov@stroyka.ru>", "",
      "Предлагаем насосы по 100 000 руб.", "ООО «Конкурент» ИНН 7707083893, тел. +7 495 999-88-77",
    ].joined(separator: "\r\n")
    let read = Self.read(letter, MailOptions(ownAddresses: ["@example.ru"]))
    #expect(read?.sender?.email == "petrov@stroyka.ru")
    #expect(read?.phones == ["+79161112233"])
    #expect(read?.inns == [])
    #expect(read?.companyName == "ООО «Стройка»")
  }

  /// A signature listing the company's switchboard before the person's mobile: the mobile is
  /// the sender's phone; a number the text itself asks to be called on stays first.
  @Test func signatureMobileBeforeSwitchboard() {
    func letter(_ text: String) -> String {
      [
        "From: Иван <ivan@romashka.ru>", "To: sales@example.ru", "Subject: Счёт",
        "Content-Type: text/plain; charset=utf-8", "", text, "", "С уважением,", "Иван Петров",
        "Тел.: +7 (495) 123-45-67 доб. 123", "Моб.: +7 916 765-43-21",
      ].joined(separator: "\r\n")
    }
    let options = MailOptions(ownAddresses: ["@example.ru"])
    #expect(
      Self.read(letter("Прошу выставить счёт."), options)?.phones == [
        "+79167654321", "+74951234567",
      ])
    #expect(
      Self.read(letter("Прошу перезвонить на 8 (495) 222-33-44."), options)?.phones.first
        == "+74952223344")
  }

  static func read(_ text: String, _ options: MailOptions) -> MailLetter? {
    guard case .letter(let letter) = MailNormaliser.normalise(Array(text.utf8), options: options)
    else {
      Issue.record("expected a letter")
      return nil
    }
    return letter
  }

  @Test func labelsOfTheVisitorAndOfTheSubmission() {
    let expected: [(String, FormMailer.FieldKind?)] = [
      ("Form Name", nil), ("Название формы", nil), ("Имя формы", nil), ("Block ID", nil),
      ("Transaction ID", nil), ("tranid", nil), ("utm_source", nil), ("Страница", nil),
      ("Referer", nil), ("IP", nil), ("Дата", nil), ("Текст обращения", nil),
      ("Почтовый адрес", nil), ("Ф.И.О.", .name), ("Ф. И. О.", .name),
      ("Как к вам обращаться", .name), ("Ваше имя", .name), ("Name", .name),
      ("Адрес электронной почты", .email), ("Эл. почта", .email), ("E-mail автора", .email),
      ("Телефон", .phone),
    ]
    for (label, kind) in expected {
      #expect(FormMailer.kindOf(label: label) == kind, "\(label)")
    }
  }

  /// Bitrix «Веб-формы»: the label, a line of asterisks, the value (which may hold a colon or
  /// run over lines), no colon after the label.
  @Test func bitrixWebFormBlocks() {
    let fields = FormMailer.parseFields(
      """
      Заполнена web-форма: [1] SIMPLE_FORM_1

      Имя
      *******************************
      Иван Петров

      Комментарий
      *******************************
      Перезвоните после 18:00,
      лучше на мобильный

      Телефон
      *******************************
      +7 916 123-45-67
      """)
    #expect(fields.map { $0.label } == ["Заполнена web-форма", "Имя", "Комментарий", "Телефон"])
    #expect(
      fields.map { $0.value } == [
        "[1] SIMPLE_FORM_1", "Иван Петров", "Перезвоните после 18:00,\nлучше на мобильный",
        "+7 916 123-45-67",
      ])
  }

  /// A callback form (a name and a phone) relayed as bulk mail is the visitor's inquiry.
  @Test func callbackFormAsBulkMail() {
    let outcome = Self.normalise([
      "From: Формы сайта <noreply@forms-relay.ru>", "To: sales@example.ru",
      "Subject: Заказ обратного звонка", "Precedence: bulk",
      "Content-Type: text/plain; charset=utf-8", "", "Имя: Олег", "Телефон: 8 903 123 45 67", "",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.sender == nil)
    #expect(letter.senderName == "Олег")
    #expect(letter.phones == ["+79031234567"])
  }

  /// A person without a display name whose signature names them: From stays the sender, named
  /// from the signature, and the letter is no form.
  @Test func personalLetterNamedFromItsSignature() {
    let outcome = Self.normalise([
      "From: zakupki@stroyka.ru", "To: sales@example.ru", "Subject: Заявка на поставку",
      "Content-Type: text/plain; charset=utf-8", "", "Нужно 10 насосов.", "",
      "Контактное лицо: Иван Петров", "Тел.: +7 (495) 123-45-67", "",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.formMailer == nil)
    #expect(letter.formFields.isEmpty)
    #expect(letter.sender == MailAddress(name: "Иван Петров", email: "zakupki@stroyka.ru"))
    #expect(letter.phones == ["+74951234567"])
  }

  /// A site script that sends as its owner's ordinary mailbox, the visitor in Reply-To and in
  /// the form, is still a form.
  @Test func siteScriptSendingAsItsOwnersMailbox() {
    let outcome = Self.normalise([
      "From: Магазин <shop.owner@mail.ru>", "Reply-To: ivan@client.ru", "To: sales@example.ru",
      "Subject: Заявка с сайта", "Content-Type: text/plain; charset=utf-8", "", "Имя: Иван",
      "E-mail: ivan@client.ru", "Телефон: +7 916 000-11-22", "",
    ])
    guard case .letter(let letter) = outcome else {
      Issue.record("expected a letter, got \(outcome)")
      return
    }
    #expect(letter.formMailer == "form")
    #expect(letter.sender == MailAddress(name: "Иван", email: "ivan@client.ru"))
  }
}
