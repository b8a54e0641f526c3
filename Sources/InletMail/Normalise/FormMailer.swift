/// Recognises letters sent by website form mailers (Bitrix, Tilda, WordPress, PHP scripts) and
/// reads their `Label: value` fields.
enum FormMailer {
  struct Result {
    var mailer: String
    var fields: [String: String]
    var name: String?
    var email: String?
    var company: String?
    /// Values worth searching for phones and INNs.
    var contactValues: [String]
  }

  /// What a form field holds, told by words in its label («E-mail автора», «Ваш телефон»).
  enum FieldKind { case name, phone, email, company, inn }

  private static let noReplyLocalParts: Set<String> = [
    "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "robot",
    "mailer", "notify", "notification", "notifications", "forms", "form", "bitrix", "wordpress",
    "tilda", "site", "website", "web", "postman", "bot",
  ]
  /// Subject words of form notifications. Whole phrases, so that «информация» or «платформа»
  /// does not read as «форма».
  private static let subjectHints = [
    "заявка", "с сайта", "обратный звонок", "обратного звонка", "обратной связи", "заказ звонка",
    "из формы", "с формы", "new submission", "new lead", "request from", "new message from",
    "contact form", "form submission",
  ]
  /// Subject prefixes of replies and forwards: such a letter is a person's, whatever its
  /// subject says («RE: Заявка №1542 с сайта»).
  private static let replyPrefixes = [
    "re:", "re[", "fw:", "fwd:", "ответ:", "отв:", "пересл:", "пересылка:", "aw:", "wg:",
  ]

  /// Whether an address is a robot's (`noreply@`, `robot@`, …) rather than a person's.
  static func isNoReply(_ email: String) -> Bool {
    let local = String(decoding: email.utf8.prefix { $0 != UInt8(ascii: "@") }, as: UTF8.self)
      .asciiLowercased()
    if noReplyLocalParts.contains(local) { return true }
    return local.hasPrefix("noreply") || local.hasPrefix("no-reply")
      || local.hasPrefix("donotreply") || email.hasSuffix("@tilda.ws")
  }

  /// Whether the subject starts as a reply's or a forward's does.
  static func isReplySubject(_ subject: String) -> Bool {
    let lowered = subject.fastLowercased().trimmingASCIIWhitespace()
    return replyPrefixes.contains { lowered.utf8HasPrefix($0) }
  }

  /// Whether the letter answers or forwards another (threading headers, a `Re:` subject).
  static func isReply(_ letter: MailLetter) -> Bool {
    !letter.inReplyTo.isEmpty || !letter.references.isEmpty
      || isReplySubject(letter.subject ?? "")
  }

  /// Reads the form of a letter from `body`; a reply is no form.
  static func read(letter: MailLetter, headers: MIMEHeaders, body: String) -> Result? {
    let mailer = (letter.mailer ?? "").asciiLowercased()
    let fromEmail = letter.from?.email ?? ""
    let subject = (letter.subject ?? "").fastLowercased()
    // A reply is a person's letter, whatever its mailer or subject: its signature's
    // «Телефон:» / «E-mail:» lines are no form.
    if isReply(letter) { return nil }
    var kind: String?
    if mailer.utf8Contains("bitrix") || headers.contains("x-bitrix-posting") {
      kind = "bitrix"
    } else if fromEmail.utf8HasSuffix("tilda.ws") || mailer.utf8Contains("tilda") {
      kind = "tilda"
    } else if mailer.utf8Contains("wordpress") || mailer.utf8Contains("phpmailer") {
      kind = "wordpress"
    } else if isNoReply(fromEmail) || subjectHints.contains(where: subject.utf8Contains) {
      kind = "form"
    }
    guard let kind else { return nil }
    let fields = parseFields(body)
    let kinds = fields.map { kindOf(label: $0.label) }
    let hasContact = kinds.contains { $0 == .phone || $0 == .email || $0 == .name }
    guard fields.count >= 2, hasContact else { return nil }
    // The first field of a kind, in the body's order.
    func value(_ wanted: FieldKind) -> String? {
      zip(fields, kinds).first { $0.1 == wanted }?.0.value
    }
    // The first e-mail field that holds an address.
    func emailValue() -> String? {
      zip(fields, kinds).lazy.filter { $0.1 == .email }.compactMap { address(in: $0.0.value) }
        .first
    }
    var contactValues: [String] = []
    for (field, fieldKind) in zip(fields, kinds) where fieldKind == .phone || fieldKind == .inn {
      contactValues.append(field.label + ": " + field.value)
    }
    // «От: Мария <maria@client.ru>» (Contact Form 7): a name field may carry the address too.
    let nameValue = value(.name)
    var name = nameValue
    if let text = nameValue, let open = text.firstIndex(of: "<"), address(in: text) != nil {
      let before = String(text[..<open]).trimmingASCIIWhitespace()
        .trimmingCharacters(inSet: ["\"", " "])
      name = before.isEmpty ? nil : before
    }
    let email = emailValue() ?? nameValue.flatMap(address(in:))
    let company = value(.company).flatMap { $0.isEmpty ? nil : $0 }
    var dictionary: [String: String] = [:]
    for field in fields { dictionary[field.label] = field.value }
    return Result(
      mailer: kind, fields: dictionary, name: name, email: email, company: company,
      contactValues: contactValues)
  }

  /// The address in a field's value: `ivan@x.ru`, or `Иван <ivan@x.ru>`.
  static func address(in raw: String) -> String? {
    var text = raw.trimmingASCIIWhitespace()
    if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
      text = String(text[text.index(after: open)..<close]).trimmingASCIIWhitespace()
    }
    let lowered = text.lowercased()
    return lowered.utf8.contains(UInt8(ascii: "@")) && !lowered.utf8.contains(0x20)
      ? lowered : nil
  }

  /// What a label names, by its words: e-mail first («E-mail автора» is the author's address),
  /// then phone, INN, company, name.
  static func kindOf(label: String) -> FieldKind? {
    let lowered = label.fastLowercased().trimmingCharacters(inSet: [" ", "*", ":"])
    let words = lowered.split { !$0.isLetter && !$0.isNumber && $0 != "-" }.map(String.init)
    func has(_ stems: [String]) -> Bool {
      words.contains { word in stems.contains { word.utf8HasPrefix($0) } }
    }
    // «Почта», «Эл. почта», not «Почтовый адрес».
    if has(["e-mail", "email", "mail", "емейл", "имейл"]) || words.contains("почта") {
      return .email
    }
    if has(["телефон", "phone", "тел", "мобильн", "whatsapp"]) || words == ["tel"] {
      return .phone
    }
    if words.first == "инн" || words.first == "inn" { return .inn }
    if has(["компани", "организац", "company", "наименовани", "фирм"]) { return .company }
    if has(["имя", "фио", "name", "автор", "представьтесь"]) || lowered == "контактное лицо"
      || lowered == "от" || lowered == "from"
    {
      return .name
    }
    return nil
  }

  /// `Label: value` lines with short labels, in the body's order; the first occurrence of a
  /// label wins.
  static func parseFields(_ body: String) -> [(label: String, value: String)] {
    var fields: [(label: String, value: String)] = []
    var seen: Set<String> = []
    for line in body.lineSlices() where !line.isEmpty {
      // Found on the UTF-8 view: `:` is ASCII, so its index is a character boundary too.
      let utf8 = line.utf8
      guard let offset = line.utf8Offset(of: UInt8(ascii: ":")), offset > 0, offset <= 160
      else { continue }
      let colon = utf8.index(utf8.startIndex, offsetBy: offset)
      let label = String(line[..<colon]).trimmingASCIIWhitespace()
        .trimmingCharacters(inSet: ["*", " "])
      let value = String(line[utf8.index(after: colon)...]).trimmingASCIIWhitespace()
      guard !label.isEmpty, label.count <= 40, !value.isEmpty,
        label.split(separator: " ").count <= 5, !label.utf8Contains("http"),
        label.first?.isLetter == true, !seen.contains(label)
      else { continue }
      seen.insert(label)
      fields.append((label, value))
      if fields.count >= 100 { break }
    }
    return fields
  }
}
