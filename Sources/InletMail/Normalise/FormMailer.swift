import InletCore

/// Recognises letters sent by website form mailers (Bitrix, Tilda, WordPress, PHP scripts) and
/// reads their `Label: value` fields (and Bitrix web forms' label, line of asterisks, value).
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
    // What PHP's mail() sends as on a hosting server (a site's own form script).
    "www-data", "www", "apache", "nginx", "root", "php", "webmaster",
  ]
  /// Subject words of form notifications. Whole phrases, so that «информация» or «платформа»
  /// does not read as «форма».
  private static let subjectHints = [
    "заявка", "с сайта", "обратный звонок", "обратного звонка", "обратной связи", "заказ звонка",
    "из формы", "с формы", "new submission", "new lead", "request from", "new message from",
    "contact form", "form submission", "заказать звонок", "обратная связь", "перезвоните",
    "новое сообщение", "callback",
  ]
  /// Subject phrases of the Bitrix «Веб-формы» module's notifications («example.ru: заполнена
  /// web-форма [1] SIMPLE_FORM_1»), sent from whatever address the site has.
  private static let bitrixWebFormHints = ["заполнена web-форма", "заполнена веб-форма"]
  /// Subject prefixes of forwards.
  private static let forwardPrefixes = ["fw:", "fwd:", "пересл:", "пересылка:", "wg:"]
  /// Subject prefixes of replies and forwards: such a letter is a person's, whatever its
  /// subject says («RE: Заявка №1542 с сайта»).
  private static let replyPrefixes = ["re:", "re[", "ответ:", "отв:", "aw:"] + forwardPrefixes
  /// First words of labels naming where a form was sent («Кому: sales@…»), not the visitor.
  private static let recipientLabels: Set<String> = [
    "кому", "получатель", "копия", "to", "cc", "recipient",
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

  /// Whether a subject is a form notification's («Заявка с сайта», «Заказ звонка»).
  static func isFormSubject(_ subject: String?) -> Bool {
    guard let subject else { return false }
    let lowered = subject.fastLowercased()
    return subjectHints.contains(where: lowered.utf8Contains)
      || bitrixWebFormHints.contains(where: lowered.utf8Contains)
  }

  /// Whether the subject starts as a forward's does (`FW:`, `Fwd:`, `Пересл:`, any case).
  static func isForwardSubject(_ subject: String) -> Bool {
    let lowered = subject.fastLowercased().trimmingASCIIWhitespace()
    return forwardPrefixes.contains { lowered.utf8HasPrefix($0) }
  }

  /// Whether the letter answers or forwards another (threading headers, a `Re:` subject).
  static func isReply(_ letter: MailLetter) -> Bool {
    !letter.inReplyTo.isEmpty || !letter.references.isEmpty
      || isReplySubject(letter.subject ?? "")
  }

  /// Whether a subject is a 1C-Bitrix web form's notification («заполнена web-форма»).
  static func isBitrixWebFormSubject(_ subject: String) -> Bool {
    let lower = subject.fastLowercased()
    return bitrixWebFormHints.contains(where: lower.utf8Contains)
  }

  /// Reads the form of a letter from `body`; a reply is no form. `ownForm`: the letter comes
  /// from one of the company's own addresses and forwards nothing — a site's script using
  /// PHP's `mail()` sends as `info@` under any subject; its body, mostly fields, is the form.
  static func read(letter: MailLetter, headers: MIMEHeaders, body: String, ownForm: Bool = false)
    -> Result?
  {
    let mailer = (letter.mailer ?? "").asciiLowercased()
    let fromEmail = letter.from?.email ?? ""
    let subject = (letter.subject ?? "").fastLowercased()
    // A reply is a person's letter, whatever its mailer or subject: its signature's
    // «Телефон:» / «E-mail:» lines are no form.
    if isReply(letter) { return nil }
    var kind: String?
    if mailer.utf8Contains("bitrix") || headers.contains("x-bitrix-posting")
      || bitrixWebFormHints.contains(where: subject.utf8Contains)
    {
      kind = "bitrix"
    } else if fromEmail.utf8HasSuffix("tilda.ws") || mailer.utf8Contains("tilda") {
      kind = "tilda"
    } else if mailer.utf8Contains("wordpress") || mailer.utf8Contains("phpmailer") {
      kind = "wordpress"
    } else if isNoReply(fromEmail) || subjectHints.contains(where: subject.utf8Contains) {
      kind = "form"
    } else if ownForm, fieldsMakeTheBody(body, from: fromEmail) {
      kind = "form"
    }
    guard let kind else { return nil }
    return read(body, mailer: kind)
  }

  /// Whether `body`, sent from our own address `from`, is a form's fields: two at least, as
  /// many as its other lines (a title, a footer), opening the letter (after a title at most),
  /// and none of them an address of `from`'s domain — not a colleague's letter with a
  /// signature's «Тел.:» and «E-mail:», however short.
  private static func fieldsMakeTheBody(_ body: String, from: String) -> Bool {
    let fields = parseFields(body)
    guard fields.count >= 2 else { return false }
    if fields.contains(where: {
      address(in: $0.value).map { MailAddress.sameCompany($0, from) } ?? false
    }) {
      return false
    }
    let lines = body.lineSlices().filter { !$0.allSatisfy(\.isWhitespace) }
    guard fields.count * 2 >= lines.count, let first = fields.first else { return false }
    return lines.prefix(2).contains { $0.contains(first.label) }
  }

  /// Reads the form in a forwarded message (a colleague passing a site's notification on)
  /// whose header names `sender`, a robot's address; `nil` for anyone else's message, and for
  /// a form whose address is on the robot's own domain (a shop's newsletter with «Телефон:»
  /// and «E-mail:» lines in its footer).
  static func read(forwarded text: String, sender: String) -> Result? {
    guard isNoReply(sender),
      let form = read(text, mailer: sender.utf8HasSuffix("tilda.ws") ? "tilda" : "form")
    else { return nil }
    if let email = form.email, MailAddress.sameCompany(email, sender) { return nil }
    return form
  }

  /// The form in `body`, if its fields name the visitor somehow: two fields at least, one of
  /// them a name, a phone or an e-mail address.
  private static func read(_ body: String, mailer kind: String) -> Result? {
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
    // A field of a kind not told by its label whose whole value is one address («Куда
    // ответить: ivan@client.ru»); not a robot's, nor the recipient the form was sent to.
    func bareAddress() -> String? {
      for (field, fieldKind) in zip(fields, kinds) where fieldKind == nil {
        let text = field.value
        guard !text.utf8.contains(0x20), text.utf8.contains(UInt8(ascii: "@")),
          let normalised = EmailNormalizer.normalize(text), !isNoReply(normalised)
        else { continue }
        let first = field.label.fastLowercased().split(separator: " ").first ?? ""
        if !recipientLabels.contains(String(first)) { return normalised }
      }
      return nil
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
    let email = emailValue() ?? nameValue.flatMap(address(in:)) ?? bareAddress()
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

  /// What a label names, by its words (``FormLabel/kind(of:)``): a visitor's name, address,
  /// phone, company or INN (the message's label names none of them here).
  static func kindOf(label: String) -> FieldKind? {
    switch FormLabel.kind(of: label) {
    case .name: .name
    case .email: .email
    case .phone: .phone
    case .company: .company
    case .inn: .inn
    case .text, nil: nil
    }
  }

  /// `Label: value` lines with short labels, and Bitrix web forms' fields (the label, a line
  /// of asterisks, the value), in the body's order; the first occurrence of a label wins.
  static func parseFields(_ body: String) -> [(label: String, value: String)] {
    var fields: [(label: String, value: String)] = []
    var seen: Set<String> = []
    let lines = body.lineSlices()
    var index = 0
    while index < lines.count && fields.count < 100 {
      let field: (label: String, value: String)?
      if index + 2 < lines.count, isAsteriskRule(lines[index + 1]),
        !lines[index].utf8.contains(UInt8(ascii: ":"))
      {
        // The value runs to a blank line or the next field's label.
        var end = index + 2
        while end < lines.count, !lines[end].trimmedASCII().isEmpty,
          !(end + 1 < lines.count && isAsteriskRule(lines[end + 1]))
        {
          end += 1
        }
        let value = lines[(index + 2)..<end].map { String($0.trimmedASCII()) }
        field = (lines[index].trimmingASCIIWhitespace(), value.joined(separator: "\n"))
        index = end
      } else if let found = cellField(lines[index]), tabBeforeColon(lines[index]) {
        // A table row whose value has a colon of its own (`Имя<TAB>Анна, после 19:00`).
        field = found
        index += 1
      } else if let found = colonField(lines[index]) {
        index += 1
        if found.value.isEmpty, let value = valueBelow(lines, from: index) {
          // `Имя:` with its value on the next line: a table's cells, each a paragraph
          // (`<td><p>Имя:</p></td><td><p>Светлана</p></td>`), or `<b>Имя:</b><br>Светлана`.
          field = (found.label, String(value.line))
          index = value.next
        } else {
          field = found
        }
      } else if let found = cellField(lines[index]) {
        // An HTML table's row without colons (`<td>Имя</td><td>Иван</td>`): label, tab, value.
        field = found
        index += 1
      } else if mayBeLabel(lines[index]), kindOf(label: String(lines[index])) != nil,
        let value = valueBelow(lines, from: index + 1)
      {
        // A visitor's field named without a colon, its value on the next line (WPForms'
        // {all_fields}: a row for the label, a row for the value).
        field = (lines[index].trimmingASCIIWhitespace(), String(value.line))
        index = value.next
      } else {
        field = nil
        index += 1
      }
      guard let field, !field.label.isEmpty, field.label.count <= 40, !field.value.isEmpty,
        field.label.split(separator: " ").count <= 5, !field.label.utf8Contains("http"),
        field.label.first?.isLetter == true, !seen.contains(field.label)
      else { continue }
      seen.insert(field.label)
      fields.append(field)
    }
    return fields
  }

  /// The value of a label standing alone: the next line that is not blank (one blank line
  /// between at most), when it is no label itself; and the line after it.
  private static func valueBelow(_ lines: [Substring], from start: Int)
    -> (line: Substring, next: Int)?
  {
    var index = start
    if index < lines.count, lines[index].trimmedASCII().isEmpty { index += 1 }
    guard index < lines.count else { return nil }
    let line = lines[index].trimmedASCII()
    guard !line.isEmpty, !isAsteriskRule(line), line.count <= 500 else { return nil }
    // A `Label: value` line or a known label is the next field, not this one's value.
    if let next = colonField(line), next.label.first?.isLetter == true,
      next.label.split(separator: " ").count <= 5
    {
      return nil
    }
    if mayBeLabel(line), kindOf(label: String(line)) != nil { return nil }
    return (line, index + 1)
  }

  /// Whether a line could be a label standing alone (checked before ``kindOf(label:)``, on
  /// every short line of a form): at most 60 bytes and three words, no digit, no `@`.
  private static func mayBeLabel(_ line: Substring) -> Bool {
    let bytes = line.utf8
    guard !bytes.isEmpty, bytes.count <= 60 else { return false }
    var spaces = 0
    for byte in bytes {
      if byte == 0x20 {
        spaces += 1
        if spaces > 2 { return false }
      } else if (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "@") {
        return false
      }
    }
    return true
  }

  /// The label and value of a `Label: value` line, its label's asterisks (a required field's
  /// mark) dropped.
  private static func colonField(_ line: Substring) -> (label: String, value: String)? {
    // Found on the UTF-8 view: `:` is ASCII, so its index is a character boundary too.
    let utf8 = line.utf8
    guard let offset = line.utf8Offset(of: UInt8(ascii: ":")), offset > 0, offset <= 160
    else { return nil }
    let colon = utf8.index(utf8.startIndex, offsetBy: offset)
    let label = String(line[..<colon]).trimmingASCIIWhitespace()
      .trimmingCharacters(inSet: ["*", " "])
    let value = String(line[utf8.index(after: colon)...]).trimmingASCIIWhitespace()
    return (label, value)
  }

  /// The label and value of a table row the HTML reader gave as `label<TAB>value`: a label
  /// that may be one (short, no digits), a value after it.
  private static func cellField(_ line: Substring) -> (label: String, value: String)? {
    // Found with `memchr` on the UTF-8 bytes (a tab is ASCII, so its index is a character
    // boundary): every line of a letter is looked at.
    guard let offset = line.utf8Offset(of: 0x09) else { return nil }
    let tab = line.utf8.index(line.utf8.startIndex, offsetBy: offset)
    let label = line[..<tab].trimmingASCIIWhitespace()
    let value = line[line.index(after: tab)...].trimmingASCIIWhitespace()
    guard !value.isEmpty, mayBeLabel(Substring(label)) else { return nil }
    return (label, value)
  }

  /// Whether a text opens with a form's fields: its first field within its first three lines
  /// (a notification's «Имя: …» under a title at most; a person's letter has its prose first).
  static func fieldsOpen(_ text: String) -> Bool {
    guard let first = parseFields(text).first else { return false }
    let lines = text.lineSlices().filter { !$0.allSatisfy(\.isWhitespace) }
    return lines.prefix(3).contains { String($0).utf8Contains(first.label) }
  }

  /// Whether a line's first tab comes before its first colon (or it has no colon).
  private static func tabBeforeColon(_ line: Substring) -> Bool {
    guard let tab = line.utf8Offset(of: 0x09) else { return false }
    guard let colon = line.utf8Offset(of: UInt8(ascii: ":")) else { return true }
    return tab < colon
  }

  /// Whether a line is a row of asterisks (five at least), as Bitrix puts under a label.
  private static func isAsteriskRule(_ line: Substring) -> Bool {
    let bytes = line.trimmedASCII().utf8
    return bytes.count >= 5 && bytes.allSatisfy { $0 == UInt8(ascii: "*") }
  }
}
