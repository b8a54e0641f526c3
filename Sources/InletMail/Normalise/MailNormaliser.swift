import Foundation
import InletCore

/// Turns raw letters into ``MailOutcome``s: a lead, noise with its reason, or unparseable.
public enum MailNormaliser {
  /// Fields of which at least one must be present for the input to count as a letter.
  private static let letterFields: Set<String> = [
    "from", "sender", "reply-to", "to", "cc", "subject", "date", "message-id", "received",
    "return-path", "mime-version", "content-type", "delivered-to",
  ]

  /// Normalises one raw letter. Never traps, whatever the bytes: a broken part degrades into
  /// less text, and only input with no header block at all is `unparseable`.
  public static func normalise(_ raw: [UInt8], options: MailOptions) -> MailOutcome {
    guard !raw.isEmpty else { return .unparseable(error: "empty input") }
    guard let message = MIMEParser.parse(raw) else {
      return .unparseable(error: "no header block: the input does not start with a header field")
    }
    let headers = message.root.headers
    guard headers.fields.contains(where: { letterFields.contains($0.name) }) else {
      return .unparseable(error: "no letter header (From, To, Subject, Date, Message-ID, …)")
    }
    let letter = read(message, options: options)
    if let reason = NoiseClassifier.reason(message: message, letter: letter, options: options) {
      return .ignored(reason: reason, letter: letter)
    }
    return .letter(letter)
  }

  private static func read(_ message: MIMEParser.Message, options: MailOptions) -> MailLetter {
    let headers = message.root.headers
    var letter = MailLetter()
    letter.messageID = headers.raw("message-id").flatMap { MessageIDs.parse($0).first }
    letter.inReplyTo = headers.raw("in-reply-to").map(MessageIDs.parse) ?? []
    letter.references = headers.raw("references").map(MessageIDs.parse) ?? []
    letter.date = headers.text("date").flatMap(MailDate.parse)
    letter.from = addresses(headers, "from").first
    letter.replyTo = addresses(headers, "reply-to").first
    letter.to = addresses(headers, "to")
    letter.cc = addresses(headers, "cc")
    let subject = headers.text("subject")
    letter.subject = subject?.isEmpty == true ? nil : subject
    letter.mailer = (headers.text("x-mailer") ?? headers.text("user-agent")).flatMap {
      $0.isEmpty ? nil : $0
    }
    letter.autoSubmitted =
      NoiseClassifier.automatic(headers, subject: subject, own: options.ownAddresses) != nil
    letter.headerOnly = message.headerOnly
    letter.listID = headers.text("list-id").flatMap { $0.isEmpty ? nil : $0 }

    let body = BodyExtractor.extract(message)
    letter.textFromHTML = body.fromHTML
    // Outlook forwards with no marker, only the forwarded letter's header block: a `FW:`
    // subject tells them from replies.
    let split = TextSplitter.split(
      body.text, forwarding: FormMailer.isForwardSubject(subject ?? ""))
    letter.text = split.text
    letter.quoted = split.quoted
    letter.signature = split.signature
    letter.attachments = attachments(body.attachments, options: options, omitted: &letter)

    // The whole body: a form's `От:`/`Тема:` lines are no Outlook quote (and a reply, whose
    // quoted history could hold a form, is never read as one).
    let ownForm =
      split.forward == nil
      && NoiseClassifier.isOwn(letter.from?.email ?? "", options.ownAddresses)
    let parsed = FormMailer.read(
      letter: letter, headers: headers, body: body.text, ownForm: ownForm)
    // A person's own letter that only looks like a form («Заявка на поставку», a signature's
    // «Тел.:» and «E-mail:»): From stays the sender, the fields only fill in what it lacks.
    let personal = parsed.map { isPersonal(letter, form: $0, options: options) } ?? false
    // A forwarded letter: who wrote it, and whether it is one of ours (a client sending our
    // offer back: our phone, INN and company are not theirs).
    letter.forwardedFrom = split.forward?.fromLine.flatMap(Self.address(in:))
    // A site's notification passed on by a colleague: the form is in the forwarded message.
    var forwardedForm: FormMailer.Result?
    if parsed == nil, let forward = split.forward, let inner = letter.forwardedFrom {
      forwardedForm = FormMailer.read(forwarded: forward.text, sender: inner.email)
    }
    let form = personal ? nil : (parsed ?? forwardedForm)
    letter.formMailer = form?.mailer
    letter.formFields = form?.fields ?? [:]
    letter.formName = form?.name
    letter.sender = sender(of: letter, headers: headers, form: form, options: options)
    if personal, letter.sender?.name == nil, let name = parsed?.name {
      letter.sender?.name = name
    }
    var contactText = letter.text
    var signature = letter.signature ?? ""
    if let forward = split.forward, let inner = letter.forwardedFrom {
      let ownMessage = NoiseClassifier.isOwn(inner.email, options.ownAddresses)
      if forwardedForm != nil || (!ownMessage && letter.sender == inner) {
        // A colleague passed a client's letter (or a site's notification, ours too) on: the
        // contacts are the client's, in the forwarded message, not the colleague's above it —
        // and not in the history that message quotes (a client's reply to our offer quotes
        // our signature: our phone, INN and company).
        let inner = TextSplitter.split(forward.text)
        contactText = [forward.fromLine ?? "", inner.text].joined(separator: "\n")
        signature = inner.signature ?? ""
      } else if ownMessage {
        contactText = forward.before
      } else if let sender = letter.sender, !MailAddress.sameCompany(sender.email, inner.email),
        sender.name == nil || sender.name != inner.name,
        hasContacts(forward.before + "\n" + signature, options: options)
      {
        // A client passing on someone else's letter (a competitor's offer, a supplier's) with
        // contacts of their own above it: those are the lead's — the forwarded one's phone, INN
        // and company are another company's. (Without any, as a colleague's bare «Посмотрите»
        // from a personal box, the forwarded letter's are all there is.)
        contactText = forward.before
      }
    }

    let phoneNormalizer = options.phoneNormalizer
    var searchable = [contactText, signature]
    if let fields = form ?? parsed { searchable.append(contentsOf: fields.contactValues) }
    let joined = searchable.joined(separator: "\n")
    let phones = PhoneFinder.find(in: joined, normalizer: phoneNormalizer)
    letter.phones =
      options.ownPhones.isEmpty ? phones : phones.filter { !options.ownPhones.contains($0) }
    letter.phones = personalFirst(
      letter.phones, text: contactText, signature: signature, options: options)
    // The company's name and INN from one place: a signature that names the company gives
    // its INN first (a text asking for an invoice to another firm of theirs names that
    // firm's INN, which must not go with the signature's name).
    let signatureCompany = form?.company == nil ? CompanyFinder.find(in: signature) : nil
    var innText = joined
    if signatureCompany != nil {
      innText = ([signature, contactText] + searchable.dropFirst(2)).joined(separator: "\n")
    }
    let inns = INNFinder.find(in: innText, phones: phones)
    letter.inns = options.ownINNs.isEmpty ? inns : inns.filter { !options.ownINNs.contains($0) }
    letter.companyName =
      form?.company
      ?? signatureCompany
      ?? CompanyFinder.find(in: contactText)
      ?? parsed?.company
    return letter
  }

  /// Whether a letter the form reader took for a form is a person's own: only the subject's
  /// words or the labels in it made it one (no form mailer's header, no robot's `From`), `From`
  /// is not ours, the form names no address outside `From`'s domain, and no `Reply-To` that
  /// the form repeats says a site's script sent it from its owner's mailbox for a visitor.
  private static func isPersonal(
    _ letter: MailLetter, form: FormMailer.Result, options: MailOptions
  ) -> Bool {
    // A Bitrix24 mailbox marks a person's own letters as Bitrix's (`X-Bitrix-Posting`): only
    // its web forms' notifications say so in the subject.
    let personalMailer =
      form.mailer == "form"
      || (form.mailer == "bitrix" && !FormMailer.isBitrixWebFormSubject(letter.subject ?? ""))
    guard personalMailer, let from = letter.from, !FormMailer.isNoReply(from.email),
      !NoiseClassifier.isOwn(from.email, options.ownAddresses)
    else { return false }
    // A form naming an address elsewhere speaks for a visitor (a site's script sending from
    // its own mailbox); a person's signature names their own company's — or, written from a
    // personal box (ivan.petrov@gmail.com), the company's address they sign with: in the
    // signature below their text, not in fields that make up a notification.
    if let email = form.email, !MailAddress.sameCompany(email, from.email),
      !(letter.signature?.fastLowercased().utf8Contains(email) ?? false)
        || FormMailer.fieldsOpen(letter.text)
    {
      return false
    }
    guard let replyTo = letter.replyTo, replyTo.email != from.email else { return true }
    return form.email != replyTo.email
  }

  /// The address in a header-like line: `Иван Петров <ivan@x.ru>`, `"Клиент" <c@f.ru>`, or
  /// Outlook's `Иван Петров [mailto:ivan@x.ru]`.
  static func address(in line: String) -> MailAddress? {
    let cleaned = line.replacingOccurrences(of: "[mailto:", with: "<")
      .replacingOccurrences(of: "]", with: ">")
    if let parsed = AddressParser.parse(Array(cleaned.utf8)).first(where: {
      EmailNormalizer.normalize($0.address) != nil
    }), let email = EmailNormalizer.normalize(parsed.address) {
      let name = parsed.name.map(attributedName).flatMap {
        $0.isEmpty || $0.lowercased() == email ? nil : $0
      }
      return MailAddress(name: name, email: email)
    }
    // An attribution line (`03.04.2024, 09:00, "Клиент" <c@f.ru>`): the address in brackets.
    guard let open = cleaned.lastIndex(of: "<"), let close = cleaned.lastIndex(of: ">"),
      open < close,
      let email = EmailNormalizer.normalize(String(cleaned[cleaned.index(after: open)..<close]))
    else { return nil }
    var name = String(cleaned[..<open]).trimmingASCIIWhitespace()
    if let comma = name.lastIndex(of: ",") {
      name = String(name[name.index(after: comma)...]).trimmingASCIIWhitespace()
    }
    name = attributedName(name).trimmingCharacters(inSet: ["\"", " "])
    return MailAddress(name: name.isEmpty ? nil : name, email: email)
  }

  /// The name of a Mail.ru attribution (`Понедельник, 30 ноября 2026, 10:00 +03:00 от Иван
  /// Петров <ivan@client.ru>:`): what follows its last ` от `; a name as it is otherwise.
  static func attributedName(_ name: String) -> String {
    guard let from = name.range(of: " от ", options: .backwards),
      name[..<from.lowerBound].contains(where: \.isNumber)
    else { return name }
    return String(name[from.upperBound...]).trimmingASCIIWhitespace()
  }

  private static func addresses(_ headers: MIMEHeaders, _ name: String) -> [MailAddress] {
    headers.all(name).flatMap(AddressParser.parse).compactMap { parsed in
      guard let email = EmailNormalizer.normalize(parsed.address) else { return nil }
      let name = parsed.name.flatMap { candidate -> String? in
        // A display name that only repeats the address says nothing.
        candidate.lowercased() == email ? nil : candidate
      }
      return MailAddress(name: name, email: email)
    }
  }

  /// The sender's own number first when the letter's text names none and the signature lists
  /// several (`Тел.: +7 495 123-45-67 доб. 123`, `Моб.: +7 916 765-43-21`): the one labelled
  /// mobile, else a Russian mobile — the person's, where the first is mostly the company's
  /// switchboard (a client's, which matching finds anyway). A number the text itself gives
  /// stays first: the sender asked to be called there.
  private static func personalFirst(
    _ phones: [String], text: String, signature: String, options: MailOptions
  ) -> [String] {
    guard phones.count > 1, !signature.isEmpty,
      PhoneFinder.find(in: text, normalizer: options.phoneNormalizer).isEmpty
    else { return phones }
    var preferred: String?
    for line in signature.lineSlices() {
      let lowered = String(line).fastLowercased()
      guard mobileLabels.contains(where: lowered.utf8Contains) else { continue }
      if let phone = PhoneFinder.find(in: String(line), normalizer: options.phoneNormalizer)
        .first(where: phones.contains)
      {
        preferred = phone
        break
      }
    }
    preferred = preferred ?? phones.first { $0.hasPrefix("+79") }
    guard let preferred, preferred != phones.first else { return phones }
    return [preferred] + phones.filter { $0 != preferred }
  }

  /// Words that label a personal mobile number in a signature.
  private static let mobileLabels = ["моб", "сот", "mob", "cell", "личный", "whatsapp", "вотсап"]

  /// Whether a text names a phone, an INN or a company.
  private static func hasContacts(_ text: String, options: MailOptions) -> Bool {
    let phones = PhoneFinder.find(in: text, normalizer: options.phoneNormalizer)
    return !phones.isEmpty || !INNFinder.find(in: text, phones: phones).isEmpty
      || CompanyFinder.find(in: text) != nil
  }

  /// Applies the rule documented on ``MailLetter/sender``.
  private static func sender(
    of letter: MailLetter, headers: MIMEHeaders, form: FormMailer.Result?, options: MailOptions
  ) -> MailAddress? {
    guard let from = letter.from else {
      if let other = letter.replyTo ?? addresses(headers, "sender").first { return other }
      // No readable From at all: a form's own e-mail field still names the visitor.
      if let email = form?.email, !NoiseClassifier.isOwn(email, options.ownAddresses) {
        return MailAddress(name: form?.name, email: email)
      }
      return nil
    }
    let own = NoiseClassifier.isOwn(from.email, options.ownAddresses)
    let robot = FormMailer.isNoReply(from.email)
    guard form != nil || robot || own else { return from }
    // A colleague forwarding a client's letter to the sales mailbox: the client wrote it.
    if own, form == nil, let inner = letter.forwardedFrom,
      !NoiseClassifier.isOwn(inner.email, options.ownAddresses),
      !FormMailer.isNoReply(inner.email)
    {
      return inner
    }
    // Our own or a robot's Reply-To says nothing about the visitor.
    if let replyTo = letter.replyTo, replyTo.email != from.email,
      !FormMailer.isNoReply(replyTo.email),
      !NoiseClassifier.isOwn(replyTo.email, options.ownAddresses)
    {
      return MailAddress(name: replyTo.name ?? form?.name, email: replyTo.email)
    }
    // An address of ours in the form (the manager it was sent to) is not the visitor's.
    if let email = form?.email, !NoiseClassifier.isOwn(email, options.ownAddresses) {
      return MailAddress(name: form?.name, email: email)
    }
    // A form that gives no address (a callback request: a name and a phone): the visitor has
    // none, rather than the robot's or our own.
    if form != nil && (robot || own) { return nil }
    return from
  }

  private static func attachments(
    _ extracted: [ExtractedAttachment], options: MailOptions, omitted letter: inout MailLetter
  ) -> [MailAttachment] {
    var result: [MailAttachment] = []
    var names: Set<String> = []
    for (index, file) in extracted.enumerated() {
      guard result.count < max(0, options.maxAttachments) else {
        letter.attachmentsOmitted = extracted.count - index
        break
      }
      var name = FileNameSanitiser.sanitise(
        file.fileName, mediaType: file.mediaType, index: index + 1)
      if names.contains(name) { name = FileNameSanitiser.numbered(name, index: index + 1) }
      names.insert(name)
      let truncated = file.data.count > options.maxAttachmentBytes
      result.append(
        MailAttachment(
          name: name, contentType: file.mediaType, size: file.data.count,
          data: truncated ? [] : file.data, truncated: truncated, inline: file.inline))
    }
    return result
  }
}
