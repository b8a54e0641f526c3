/// What a form field holds, told by the words of its label («Ваш телефон», «E-mail для связи»,
/// «Как к вам обращаться?»): for forms that send each field under the label the site's owner
/// typed (Elementor's simple mode, Google Forms, a form's notification letter).
public enum FormLabel {
  public enum Kind: String, Sendable, CaseIterable {
    case name, email, phone, company, inn, text
  }

  /// The kind a label names: e-mail first («E-mail автора» is the author's address), then
  /// phone, INN, company, name, the message; nil for what describes the submission («Название
  /// формы», «Страница», UTM tags) or what is ordered («Наименование товара»).
  public static func kind(of label: String) -> Kind? {
    // Trimmed on the UTF-8 view (the marks are ASCII): labels are read for every line of a
    // letter that looks like a field.
    let utf8 = label.utf8
    var start = utf8.startIndex
    var end = utf8.endIndex
    while start < end, [0x20, 0x2A, 0x3A].contains(utf8[start]) { start = utf8.index(after: start) }
    while end > start, [0x20, 0x2A, 0x3A, 0x3F].contains(utf8[utf8.index(before: end)]) {
      end = utf8.index(before: end)
    }
    let lowered = label[start..<end].lowercased()
    let words = joiningInitials(
      lowered.split { !$0.isLetter && !$0.isNumber && $0 != "-" }.map(String.init))
    // What the form or the page was, not who filled it in («Form Name: Заказать звонок»).
    if let first = words.first, metadataFirstWords.contains(first) { return nil }
    if words.contains(where: metadataWords.contains) { return nil }
    func has(_ stems: [String]) -> Bool {
      words.contains { word in stems.contains { word.utf8.starts(with: $0.utf8) } }
    }
    // «Почта», «Эл. почта», «Адрес электронной почты», not «Почтовый адрес».
    if has(["e-mail", "email", "mail", "емейл", "имейл", "электронн"])
      || words.contains(where: mailWords.contains)
    {
      return .email
    }
    // «Тел.» as a word of its own, not the start of «Телеграм».
    if has(["телефон", "phone", "мобильн", "сотов", "whatsapp"]) || words.contains("тел")
      || words == ["tel"]
    {
      return .phone
    }
    // «Ваш номер», «Контактный номер», not «Номер заказа» (and a value must read as a phone).
    if has(["номер"]), !has(numberedThings) { return .phone }
    if words.first == "инн" || words.first == "inn" { return .inn }
    // What is ordered, not who orders: «Наименование товара», «Фирма-производитель», «Сайт
    // компании», «Product name».
    // (Parts of `фирма-производитель` compared one by one: no substring search, which
    // Foundation would run through its locale-aware string search for every label.)
    if words.contains(where: { word in
      word.utf8.split(separator: UInt8(ascii: "-")).contains { part in
        productStems.contains { part.starts(with: $0.utf8) }
      }
    }) {
      return nil
    }
    if has(["компани", "организац", "company", "наименовани", "фирм"]) { return .company }
    // «Ф.И.О.», «Как к вам обращаться», not «Текст обращения».
    if has(["имя", "фио", "name", "автор", "представьтесь", "обращат", "зовут"])
      || lowered == "контактное лицо" || lowered == "от" || lowered == "from"
    {
      return .name
    }
    if has(textStems) { return .text }
    return nil
  }

  /// What else a «номер» numbers: an order, an invoice, a contract, a card, a flat…
  static let numberedThings = [
    "заказ", "счет", "счёт", "договор", "карт", "паспорт", "квартир", "офис", "дом", "заявк",
    "документ", "инн", "снилс", "огрн", "кпп", "накладн", "рейс", "артикул", "товар", "лицев",
  ]

  /// The first words of labels that describe the submission, not the visitor: Tilda's «Form
  /// Name», «Block ID», «Transaction ID», a page, a referrer, an IP address, a date, UTM tags.
  static let metadataFirstWords: Set<String> = [
    "form", "formname", "formid", "форма", "block", "blockid", "transaction", "tranid", "page",
    "pageid", "projectid", "страница", "referer", "referrer", "реферер", "ip", "ip-адрес", "url",
    "date", "дата", "utm",
  ]
  /// Words that make a label the submission's anywhere in it («Название формы», «Имя формы»,
  /// «Адрес страницы»).
  static let metadataWords: Set<String> = ["формы", "страницы"]
  /// «Почта» as a whole word, in the cases a label puts it in (not «почтовый»).
  static let mailWords: Set<String> = ["почта", "почты", "почту"]
  /// Label words of what a form orders (a product, its maker, a site): such a field names no
  /// company and no person.
  static let productStems = [
    "товар", "продукц", "продукт", "услуг", "производител", "издели", "модел", "бренд", "марк",
    "артикул", "сайт", "product", "item", "goods", "service", "brand", "model", "site", "website",
    "url",
  ]
  /// Label words of the visitor's message.
  static let textStems = [
    "сообщени", "комментари", "вопрос", "текст", "описани", "пожелани", "примечани", "задача",
    "message", "comment", "question",
  ]

  /// The words with runs of single letters joined: «ф», «и», «о» (from «Ф.И.О.») make «фио».
  static func joiningInitials(_ words: [String]) -> [String] {
    var result: [String] = []
    var initials = ""
    for word in words {
      if word.count == 1 {
        initials += word
        continue
      }
      if !initials.isEmpty { result.append(initials) }
      initials = ""
      result.append(word)
    }
    if !initials.isEmpty { result.append(initials) }
    return result
  }
}
