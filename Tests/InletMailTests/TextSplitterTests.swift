import InletCore
import Testing

@testable import InletMail

@Suite("Quote and signature split")
struct TextSplitterTests {
  @Test func dashDashSignatureAndQuote() {
    let result = TextSplitter.split(
      "Hello!\n\nOn Mon, 1 Apr 2024, Bob <b@x.ru> wrote:\n> old\n> text\n")
    #expect(result.text == "Hello!")
    #expect(result.quoted == "On Mon, 1 Apr 2024, Bob <b@x.ru> wrote:\n> old\n> text")
    let signed = TextSplitter.split("Body\n-- \nIvan\n+7 916 000-00-00")
    #expect(signed.text == "Body")
    #expect(signed.signature == "Ivan\n+7 916 000-00-00")
    // `--` without its space: a signature near the end, a separator higher up.
    let bare = TextSplitter.split("Body\n--\nIvan\n+7 916 000-00-00")
    #expect(bare.text == "Body")
    #expect(bare.signature == "Ivan\n+7 916 000-00-00")
    let items = (1...20).map { "Позиция \($0): стул офисный, 10 шт." }.joined(separator: "\n")
    for footer in [
      "Отправлено из мобильной Яндекс Почты", "Отправлено из мобильной Яндекс.Почты",
      "-- Отправлено из Mail.ru для Android", "Получить Outlook для Android",
    ] {
      let mobile = TextSplitter.split("Нужен счёт на 5 стульев.\n\n" + footer)
      #expect(mobile.text == "Нужен счёт на 5 стульев.", "\(footer)")
      #expect(mobile.signature != nil, "\(footer)")
    }
    let separated = TextSplitter.split("Нужен счёт на:\n--\n" + items)
    #expect(separated.signature == nil)
    #expect(separated.text.contains("Позиция 20"))
  }

  @Test func signOffOnlyNearTheEnd() {
    let result = TextSplitter.split("Нужен счёт.\n\nС уважением,\nИван")
    #expect(result.text == "Нужен счёт.")
    #expect(result.signature == "С уважением,\nИван")
    let long = "С уважением к вашей работе пишу.\n" + String(repeating: "строка\n", count: 30)
    #expect(TextSplitter.split(long).signature == nil)
    // A sentence that starts like a sign-off is text, near the end too.
    for opening in [
      "С уважением к вашему времени: нужен счёт на 10 стульев.", "Regardless of price, we need 5.",
    ] {
      let letter = TextSplitter.split(opening + "\nТел. +7 916 123-45-67")
      #expect(letter.text.hasPrefix(opening), "\(opening)")
      #expect(letter.signature == nil, "\(opening)")
    }
    for signOff in [
      "С уважением, Иван", "С уважением Иван Петров", "Best regards!", "Regards",
      "Sincerely yours,", "С уважением и благодарностью,", "С уважением:", "С уважением…",
      "Kind regards and thanks,", "С уважением\tИван", "С УВАЖЕНИЕМ, ИВАН",
    ] {
      #expect(TextSplitter.split("Счёт нужен.\n" + signOff).signature == signOff, "\(signOff)")
    }
  }

  @Test func russianAttributionsAndOutlookBlocks() {
    for attribution in [
      "12.03.2024 10:15, Иван Петров пишет:", "Вы писали 12 марта 2024 г., 10:15:43:",
      "Среда, 13 марта 2024, 10:15 +03:00 от Отдел продаж <sales@example.ru>:",
      "-----Original Message-----",
    ] {
      let result = TextSplitter.split("Ответ.\n\n\(attribution)\nстарое")
      #expect(result.text == "Ответ.", "\(attribution)")
      #expect(result.quoted?.contains("старое") == true, "\(attribution)")
    }
    let outlook = TextSplitter.split(
      "Да.\n\nОт: A <a@b.ru>\nОтправлено: 1 апреля\nКому: B\nТема: X\n\nстарое")
    #expect(outlook.text == "Да.")
  }

  /// Lines are ruled out before lower-casing unless they could be a marker: these markers
  /// have no leading `-`, `_` or `>` and no trailing colon.
  @Test func markersWithoutATrailingColon() {
    for opening in ["Начало переадресованного сообщения", "НАЧАЛО ПЕРЕАДРЕСОВАННОГО СООБЩЕНИЯ"] {
      let forward = TextSplitter.split("Смотрите.\n\n\(opening)\nОт: A <a@b.ru>\nТема: X\nтело")
      #expect(forward.quoted == nil, "\(opening)")
      #expect(forward.text.hasSuffix("тело"), "\(opening)")
    }
    for header in ["От кого: A <a@b.ru>", "FROM: A <a@b.ru>", "От: A", "from: a@b.ru"] {
      let outlook = TextSplitter.split("Да.\n\n\(header)\nDate: 1 April\nSubject: X\n\nстарое")
      #expect(outlook.text == "Да.", "\(header)")
      #expect(outlook.quoted?.hasSuffix("старое") == true, "\(header)")
    }
    // Lines that start like a marker but cannot be one stay text.
    let plain = TextSplitter.split("Ответ.\nНачальник отдела\nFrom Moscow with love\nОт всей души")
    #expect(plain.quoted == nil)
    #expect(plain.text == "Ответ.\nНачальник отдела\nFrom Moscow with love\nОт всей души")
  }

  /// A text with nothing to split off comes back as it was (trimmed); blank runs and blank
  /// lines of spaces still collapse, and a bare `--` at the end is still cut.
  @Test func plainTextsAndBlankLines() {
    #expect(TextSplitter.split("  Нужен счёт.\nДо пятницы.\n\n").text == "Нужен счёт.\nДо пятницы.")
    #expect(TextSplitter.split("Первая\n \t\nВторая").text == "Первая\n\nВторая")
    #expect(TextSplitter.split("Первая\n\n\n\nВторая").text == "Первая\n\nВторая")
    let bare = TextSplitter.split("Тело письма\n--")
    #expect(bare.text == "Тело письма")
    #expect(bare.signature == nil)
    #expect(TextSplitter.split("Тело\n-- \n").text == "Тело")
  }

  @Test func forwardsAreContent() {
    let result = TextSplitter.split(
      "FYI\n\n---------- Forwarded message ---------\nFrom: A <a@b.ru>\nDate: x\nSubject: y\n\nbody"
    )
    #expect(result.quoted == nil)
    #expect(result.text.hasSuffix("body"))
  }

  /// Russian Thunderbird and Yandex 360 put the subject and date above the sender.
  @Test func russianForwardMarkers() {
    for marker in [
      "-------- Перенаправленное сообщение --------", "-------- Пересланное сообщение --------",
    ] {
      let result = TextSplitter.split(
        "Это вам.\n\n\(marker)\nТема: \tЗапрос\nДата: \tTue, 9 Apr 2024 10:30:00 +0300\n"
          + "От: \tОльга <olga@client.ru>\nКому: \tanna@example.ru\n\n\nНужно 5 насосов.")
      #expect(result.quoted == nil, "\(marker)")
      #expect(result.text.hasSuffix("Нужно 5 насосов."), "\(marker)")
      #expect(result.forward?.before == "Это вам.", "\(marker)")
      #expect(result.forward?.fromLine?.hasSuffix("Ольга <olga@client.ru>") == true, "\(marker)")
      #expect(result.forward?.text == "Нужно 5 насосов.", "\(marker)")
    }
  }

  /// Outlook forwards with no marker line, only the forwarded letter's header block: under a
  /// forward's subject the block is the forwarded message; in a reply it stays the history.
  @Test func outlookForwardWithoutMarker() throws {
    let text = """
      Коллеги, обработайте.

      От: Ольга Смирнова <olga@client-firm.ru>
      Отправлено: 9 апреля 2024 г. 10:30
      Кому: director@example.ru
      Тема: Запрос цены

      Нужно 5 насосов.
      """
    let reply = TextSplitter.split(text)
    #expect(reply.text == "Коллеги, обработайте.")
    #expect(reply.quoted?.hasSuffix("Нужно 5 насосов.") == true)
    #expect(reply.forward == nil)

    let forwarded = TextSplitter.split(text, forwarding: true)
    #expect(forwarded.quoted == nil)
    #expect(forwarded.text.hasSuffix("Нужно 5 насосов."))
    let forward = try #require(forwarded.forward)
    #expect(forward.before == "Коллеги, обработайте.")
    #expect(forward.fromLine == " Ольга Смирнова <olga@client-firm.ru>")
    #expect(forward.text == "Нужно 5 насосов.")

    // English Outlook's separator, and an HTML letter's block with blank lines between fields.
    let original = TextSplitter.split(
      "FYI\n\n-----Original Message-----\nFrom: A <a@b.ru>\nSent: Monday\nTo: c@d.ru\n"
        + "Subject: X\n\nbody", forwarding: true)
    #expect(original.quoted == nil)
    #expect(original.forward?.fromLine == " A <a@b.ru>")
    #expect(original.forward?.text == "body")
    let spaced = TextSplitter.split(
      "FYI\n\nОт: A <a@b.ru>\n\nОтправлено: 1 апреля\n\nКому: B\n\nТема: X\n\nтело",
      forwarding: true)
    #expect(spaced.forward?.fromLine == " A <a@b.ru>")
    #expect(spaced.forward?.text == "тело")
  }
}

@Suite("Attachment names")
struct FileNameSanitiserTests {
  @Test(arguments: [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\a\\file.txt", "file.txt"),
    (".htaccess", "htaccess"), ("...", "attachment-3.pdf"), ("a\u{0}b\u{7}c.txt", "abc.txt"),
    ("re:port?.pdf", "re_port_.pdf"), ("  spaced .pdf ", "spaced .pdf"),
    ("right\u{202E}fdp.exe", "rightfdp.exe"),
  ])
  func sanitised(_ pair: (String, String)) {
    #expect(FileNameSanitiser.sanitise(pair.0, mediaType: "application/pdf", index: 3) == pair.1)
  }

  @Test func longNamesKeepExtensionAndCharacters() {
    let name = FileNameSanitiser.sanitise(
      String(repeating: "ж", count: 300) + ".docx", mediaType: "x/y", index: 1)
    #expect(name.utf8.count <= 200)
    #expect(name.hasSuffix(".docx"))
    #expect(!name.contains("\u{FFFD}"))
    #expect(FileNameSanitiser.sanitise(nil, mediaType: "image/png", index: 2) == "attachment-2.png")
  }
}

@Suite("Phones, INNs and companies in text")
struct ContactFinderTests {
  private let normalizer = PhoneNormalizer(defaultCountry: "RU")

  @Test func phonesInManyShapes() {
    let text = """
      Звоните: 8\u{00A0}(916)\u{00A0}123-45-67, +7 903 765 43 21; +375 29 123\u{2013}45\u{2013}67
      ИНН 7707083893, р/с 40702810938000012345, артикул AB9161234567
      """
    #expect(
      PhoneFinder.find(in: text, normalizer: normalizer) == [
        "+79161234567", "+79037654321", "+375291234567",
      ])
  }

  /// A number after a short one and a space (table cells turned to text, «до 18»), and numbers
  /// grouped with dots; dates, cards, grouped accounts and addresses give none.
  @Test func phonesAfterShortNumbersAndWithDots() {
    let cases: [(String, [String])] = [
      ("Офис 15 8 (495) 123-45-67", ["+74951234567"]),
      ("Звоните до 18 8-912-345-67-89", ["+79123456789"]),
      ("Тел.: +7.495.123.45.67, моб. 8.912.345.67.89", ["+74951234567", "+79123456789"]),
      ("Заявка от 30.11.2026 89161234567", ["+79161234567"]),
      ("Счёт от 30.11.2026, сумма 1.500.000 руб.", []),
      ("Карта 4276 3800 1234 5678", []),
      ("р/с 4070 2810 9380 0001 2345", []),
      ("сервер 192.168.100.200", []),
      ("IP: 89.178.123.145", []),
      ("IP: 95.165.12.134", []),
      ("Встреча 3.12.2026 9.30", []),
    ]
    for (text, phones) in cases {
      #expect(PhoneFinder.find(in: text, normalizer: normalizer) == phones, "\(text)")
    }
  }

  /// Two numbers one space apart (a list, table cells turned to text) are two numbers; a
  /// number with its extension glued on is still a number.
  @Test func phonesSideBySideAndWithExtensions() {
    #expect(
      PhoneFinder.find(in: "Телефоны: 89161234567 89037654321", normalizer: normalizer) == [
        "+79161234567", "+79037654321",
      ])
    #expect(
      PhoneFinder.find(in: "8 (495) 123-45-67 8 (916) 765-43-21", normalizer: normalizer) == [
        "+74951234567", "+79167654321",
      ])
    #expect(
      PhoneFinder.find(in: "Телефон: 495 123-45-67 916 765-43-21", normalizer: normalizer) == [
        "+74951234567", "+79167654321",
      ])
    #expect(
      PhoneFinder.find(in: "9161234567 9037654321", normalizer: normalizer) == [
        "+79161234567", "+79037654321",
      ])
    #expect(
      PhoneFinder.find(in: "Тел.: +7(495)123-45-67доб.123", normalizer: normalizer) == [
        "+74951234567"
      ])
    #expect(PhoneFinder.find(in: "артикул AB9161234567", normalizer: normalizer).isEmpty)
    // Ten digits of a number written in groups are no bare national number.
    for text in [
      "паспорт 4510 123456 12.03.2015", "счёт 40702 81040 00000 12345", "3782 822463 10005",
    ] {
      #expect(PhoneFinder.find(in: text, normalizer: normalizer).isEmpty, "\(text)")
    }
    #expect(
      PhoneFinder.find(in: "8 916 123 45 67", normalizer: normalizer) == ["+79161234567"])
  }

  /// A requisites label hides only the number right after it: a word that merely holds one
  /// («заказов») or a label earlier on the line leaves a phone alone.
  @Test func requisiteLabelsOnlyRightBeforeTheNumber() {
    let text = """
      Отдел заказов: +7 (495) 123-45-67
      Приём заказов: 8-800-555-35-35
      Заказ звонка: +7 916 765-43-21
      ООО «Ромашка», ИНН 7707083893, тел. +7 (812) 300-40-50
      Заказ № 89161112233, Order #89031112233, ИНН: 9161234567, р/с\u{00A0}9031234567
      """
    #expect(
      PhoneFinder.find(in: text, normalizer: normalizer) == [
        "+74951234567", "+78005553535", "+79167654321", "+78123004050",
      ])
  }

  /// An INN whose label stands a word or two back («ИНН организации: …») is no phone: its ten
  /// digits pass for a bare Kazakh number (77…, 78…) otherwise, and the INN was then dropped as
  /// that phone's digits.
  @Test func innLabelledAFewWordsBack() {
    let text = """
      ИНН организации: 7707083893
      ИНН вашей компании — 7736207543
      ОГРН/ИНН юрлица 7802000008
      Телефон компании: +7 916 222-33-44
      ИНН 7814148471, тел. 7702070139
      ИНН нашей самой новой компании 7707083893
      """
    #expect(
      PhoneFinder.find(in: text, normalizer: normalizer) == [
        "+79162223344", "+77702070139", "+77707083893",
      ])
    let phones = PhoneFinder.find(in: text, normalizer: normalizer)
    #expect(
      INNFinder.find(in: text, phones: phones) == [
        "7707083893", "7736207543", "7802000008", "7814148471",
      ])
    #expect(
      INN.labelsNearby("ИНН организации"),
      "as its callers give it: the separators before the number dropped")
    #expect(INN.labelsNearby("инн/кпп вашей фирмы "))
    #expect(!INN.labelsNearby("ИНН 7707083893, тел. "))
    #expect(!INN.labelsNearby("Телефон компании: "))
    #expect(!INN.labelsNearby("ИНН\nТелефон: "))
    #expect(!INN.labelsNearby("ИНН нашей самой новой компании "))
    // A phone's own word, or a sentence's end, between: a phone.
    #expect(!INN.labelsNearby("Встретим на КПП тел. "))
    #expect(!INN.labelsNearby("Ремонт КПП. Звоните "))
    #expect(!INN.labelsNearby("Без ИНН! Пишите "))
    for text in ["Встретим на КПП тел. 9161234567", "Ремонт КПП. Мастер 9161234567"] {
      #expect(PhoneFinder.find(in: text, normalizer: normalizer) == ["+79161234567"], "\(text)")
    }
  }

  @Test("a letter whose INN is labelled a word back keeps the INN and the sender's own phone")
  func innAheadOfThePhoneInALetter() throws {
    let letter = [
      "From: Иван <ivan@stroy.ru>", "To: sales@example.ru", "Subject: Счёт",
      "Content-Type: text/plain; charset=utf-8", "",
      "Добрый день! Выставьте счёт.", "ИНН организации: 7707083893",
      "Телефон: +7 916 222-33-44",
    ].joined(separator: "\r\n")
    guard
      case .letter(let read) = MailNormaliser.normalise(
        Array(letter.utf8), options: MailOptions(ownAddresses: ["@example.ru"]))
    else {
      Issue.record("expected a letter")
      return
    }
    #expect(read.phones == ["+79162223344"])
    #expect(read.inns == ["7707083893"])
  }

  /// The options make their phone normaliser once; a new default country makes a new one.
  @Test func optionsKeepTheirPhoneNormalizerInStep() {
    var options = MailOptions()
    #expect(options.phoneNormalizer.normalize("8 (916) 123-45-67") == "+79161234567")
    options.defaultCountry = "GB"
    #expect(options.phoneNormalizer.normalize("020 7946 0958") == "+442079460958")
    #expect(options.phoneNormalizer.normalize("8 (916) 123-45-67") == nil)
  }

  @Test func innsAreValidatedAndNotTakenFromPhones() {
    #expect(INNFinder.find(in: "ИНН 7707083893, ИНН 7707083894", phones: []) == ["7707083893"])
    #expect(INNFinder.find(in: "no digits here", phones: []).isEmpty)
  }

  @Test func companyNames() {
    #expect(CompanyFinder.find(in: "Иван\nООО «Ромашка»\nтел.") == "ООО «Ромашка»")
    #expect(CompanyFinder.find(in: "ЗАО \"Логистика Плюс\"") == "ЗАО «Логистика Плюс»")
    #expect(CompanyFinder.find(in: "АО «Торговый дом «Восток»»") == "АО «Торговый дом «Восток»»")
    #expect(CompanyFinder.find(in: "ИП Сидоров Пётр Иванович") == "ИП Сидоров Пётр Иванович")
    #expect(CompanyFinder.find(in: "ДАО и ООО-шники") == nil)
    // Straight quotes nested, and with the closing ones merged into one.
    #expect(CompanyFinder.find(in: "ООО \"ТД \"Восток\"\"") == "ООО «ТД «Восток»»")
    #expect(
      CompanyFinder.find(in: "ЗАО \"ПО \"Спецавтоматика\", ИНН 7707083893")
        == "ЗАО «ПО «Спецавтоматика»»")
    #expect(CompanyFinder.find(in: "ООО \"Ромашка\" и партнёры") == "ООО «Ромашка»")
  }

  /// Unquoted names are ruled out early where that is certain; these are the edges.
  @Test func unquotedNameEdges() {
    let eighty = "Р" + String(repeating: "о", count: 79)
    #expect(CompanyFinder.find(in: "ООО \(eighty)") == "ООО \(eighty)")
    #expect(CompanyFinder.find(in: "ООО \(eighty)а") == nil)
    // 50 characters of two scalars each: 100 scalars, still a name of 50 characters.
    let marked = "Е\u{0308}" + String(repeating: "е\u{0308}", count: 49)
    #expect(CompanyFinder.find(in: "ООО \(marked)") == "ООО \(marked)")
    #expect(CompanyFinder.find(in: "ООО ромашка, счёт") == nil)
    #expect(CompanyFinder.find(in: "ООО ёлки\nИП Ёлкин") == "ИП Ёлкин")
    #expect(CompanyFinder.find(in: "ООО 1С-Сервис") == nil)
    #expect(CompanyFinder.find(in: "ООО \tРомашка \t; тел.") == "ООО Ромашка")
    #expect(CompanyFinder.find(in: "GmbH Ärzte-Service") == "GmbH Ärzte-Service")
    #expect(CompanyFinder.find(in: "ООО ; ИП") == nil)
  }
}
