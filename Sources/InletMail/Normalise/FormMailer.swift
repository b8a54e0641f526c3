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

  private static let noReplyLocalParts: Set<String> = [
    "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply", "robot",
    "mailer", "notify", "notification", "notifications", "forms", "form", "bitrix", "wordpress",
    "tilda", "site", "website", "web", "postman", "bot",
  ]
  private static let subjectHints = [
    "заявка", "с сайта", "обратный звонок", "обратной связи", "заказ звонка", "форма",
    "new submission", "new lead", "request from", "new message from", "contact form",
  ]
  private static let nameLabels: Set<String> = [
    "name", "имя", "фио", "ваше имя", "контактное лицо", "your name", "имя и фамилия",
    "full name", "first name",
  ]
  private static let phoneLabels: Set<String> = [
    "phone", "tel", "телефон", "ваш телефон", "номер телефона", "мобильный телефон",
    "phone number", "контактный телефон",
  ]
  private static let emailLabels: Set<String> = [
    "email", "e-mail", "почта", "электронная почта", "ваш email", "ваш e-mail", "mail",
    "your email", "эл. почта", "адрес электронной почты",
  ]
  private static let companyLabels: Set<String> = [
    "company", "организация", "компания", "название компании", "название организации",
    "company name", "наименование организации",
  ]
  private static let innLabels: Set<String> = ["inn", "инн"]

  /// Whether an address is a robot's (`noreply@`, `robot@`, …) rather than a person's.
  static func isNoReply(_ email: String) -> Bool {
    let local = String(decoding: email.utf8.prefix { $0 != UInt8(ascii: "@") }, as: UTF8.self)
      .asciiLowercased()
    if noReplyLocalParts.contains(local) { return true }
    return local.hasPrefix("noreply") || local.hasPrefix("no-reply")
      || local.hasPrefix("donotreply") || email.hasSuffix("@tilda.ws")
  }

  static func read(letter: MailLetter, headers: MIMEHeaders, body: String) -> Result? {
    let mailer = (letter.mailer ?? "").asciiLowercased()
    let fromEmail = letter.from?.email ?? ""
    let subject = (letter.subject ?? "").fastLowercased()
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
    let keys = Set(fields.keys.map(canonicalLabel))
    let hasContact =
      !keys.isDisjoint(with: phoneLabels) || !keys.isDisjoint(with: emailLabels)
      || !keys.isDisjoint(with: nameLabels)
    guard fields.count >= 2, hasContact else { return nil }
    func value(_ labels: Set<String>) -> String? {
      fields.first { labels.contains(canonicalLabel($0.key)) }?.value
    }
    var contactValues: [String] = []
    for labels in [phoneLabels, innLabels] {
      for (key, value) in fields where labels.contains(canonicalLabel(key)) {
        contactValues.append(key + ": " + value)
      }
    }
    let email = value(emailLabels).flatMap { raw -> String? in
      let trimmed = raw.trimmingASCIIWhitespace().lowercased()
      return trimmed.utf8.contains(UInt8(ascii: "@")) && !trimmed.utf8.contains(0x20)
        ? trimmed : nil
    }
    let company = value(companyLabels).flatMap { $0.isEmpty ? nil : $0 }
    return Result(
      mailer: kind, fields: fields, name: value(nameLabels), email: email, company: company,
      contactValues: contactValues)
  }

  private static func canonicalLabel(_ label: String) -> String {
    label.fastLowercased().trimmingCharacters(inSet: [" ", "*", ":"])
  }

  /// `Label: value` lines with short labels; the first occurrence of a label wins.
  static func parseFields(_ body: String) -> [String: String] {
    var fields: [String: String] = [:]
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
        label.first?.isLetter == true, fields[label] == nil
      else { continue }
      fields[label] = value
      if fields.count >= 100 { break }
    }
    return fields
  }
}
