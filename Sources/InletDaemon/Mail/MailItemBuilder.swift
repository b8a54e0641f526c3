import Crypto
import Foundation
import InletCore
import InletMail
import InletStore

/// Turns a fetched letter into what the store keeps: the normaliser's outcome as an inquiry
/// draft (or a reason), the letter's idempotency key and its transport metadata.
struct MailItemBuilder: Sendable {
  var mailbox: String
  var folder: String
  var options: MailOptions

  /// The key that makes a letter the same letter everywhere: its Message-ID; without one the
  /// SHA-256 of what its author wrote (the copies sent to two of our mailboxes differ in
  /// their trace fields), or of all its bytes when it has no `Date` either or only its
  /// headers were fetched (`headersOnly`: without the body two leads could share one). The
  /// second value is the key earlier versions gave a letter without a Message-ID.
  static func key(messageID: String?, bytes: [UInt8], headersOnly: Bool = false)
    -> (key: String, earlier: String?)
  {
    if let messageID, !messageID.isEmpty { return (MailItem.messageIDKeyPrefix + messageID, nil) }
    let whole = MailItem.bytesKeyPrefix + Hex.lowercase(SHA256.hash(data: bytes))
    guard !headersOnly, let authored = AuthoredContent.of(bytes) else { return (whole, nil) }
    return (MailItem.contentKeyPrefix + Hex.lowercase(SHA256.hash(data: authored)), whole)
  }

  /// When a letter's lead came: when it reached the mailbox (its INTERNALDATE), not when it
  /// was fetched — a first sync of the last days, or letters that waited out an outage, keep
  /// their own times — within the last week. A letter dated earlier was moved in from an
  /// archive (a copy keeps its INTERNALDATE): it is a lead now. A server clock ahead of ours
  /// cannot date a lead in the future.
  static func arrival(internalDate: Date?, fetchedAt: Date) -> Date {
    guard let internalDate, internalDate <= fetchedAt,
      fetchedAt.timeIntervalSince(internalDate) <= 7 * 86_400
    else { return fetchedAt }
    return internalDate
  }

  func item(
    uid: UInt32, bytes: [UInt8], size: Int, internalDate: Date?, headersOnly: Bool,
    unfetchable: Bool = false, receivedAt: Date = Date()
  ) -> MailItem {
    var transport: [String: Value] = [
      "mailbox": .string(mailbox), "folder": .string(folder), "uid": .number(String(uid)),
      "size": .number(String(size)), "content_type": .string("message/rfc822"),
    ]
    if let internalDate {
      transport["internal_date"] = .string(Inquiry.timestamp(internalDate))
    }
    if headersOnly { transport["oversized"] = .bool(true) }
    let transportText = String(decoding: ValueJSON.serialize(.object(transport)), as: UTF8.self)
    if unfetchable || (bytes.isEmpty && size > 0) {
      // The server listed the letter but would not give its bytes (`BODY[] NIL`, or left out
      // of the answer): kept quarantined under a key of its own — an empty letter's hash
      // would make every such letter a duplicate of the first.
      return MailItem(
        uid: uid, bytes: [],
        key: MailItem.unfetchableKeyPrefix + "\(mailbox)/\(folder)/\(uid)/\(size)/"
          + (internalDate.map(Inquiry.timestamp) ?? ""),
        receivedAt: receivedAt, arrivedAt: internalDate, transport: transportText, sender: nil,
        outcome: .quarantined(
          reason: "unfetchable: the server sent no body for UID \(uid) (\(size) bytes)",
          partial: nil))
    }
    let outcome = MailNormaliser.normalise(bytes, options: options)
    let arrived = Self.arrival(internalDate: internalDate, fetchedAt: receivedAt)

    var item: MailItem
    let messageID: String?
    switch outcome {
    case .letter(let letter):
      var inquiry = draft(letter, receivedAt: arrived)
      if headersOnly {
        inquiry.extra["oversized"] = .bool(true)
        inquiry.extra["size"] = .number(String(size))
      }
      let files = letter.attachments.map {
        UploadedFile(
          field: "attachment", filename: $0.name, contentType: $0.contentType, data: $0.data)
      }
      messageID = letter.messageID
      // `mail.allow_senders` (a marketplace's or a call tracker's robot sending every lead
      // from one address) are not held back by the per-sender limit.
      let limited = !options.allows(letter)
      item = MailItem(
        uid: uid, bytes: bytes, key: "", receivedAt: receivedAt, arrivedAt: internalDate,
        transport: transportText,
        sender: limited ? inquiry.sender.email ?? inquiry.sender.phone : nil,
        outcome: .inquiry(
          inquiry, files: files, references: letter.inReplyTo + letter.references))
    case .ignored(let reason, let letter):
      let partial = letter.map { draft($0, receivedAt: arrived) }
      messageID = letter?.messageID
      item = MailItem(
        uid: uid, bytes: bytes, key: "", receivedAt: receivedAt, arrivedAt: internalDate,
        transport: transportText, sender: partial.flatMap { $0.sender.email ?? $0.sender.phone },
        outcome: .ignored(reason: reason, partial: partial))
    case .unparseable(let error):
      messageID = nil
      item = MailItem(
        uid: uid, bytes: bytes, key: "", receivedAt: receivedAt, arrivedAt: internalDate,
        transport: transportText, sender: nil,
        outcome: .quarantined(reason: "unparseable: \(error)", partial: nil))
    }
    (item.key, item.earlierKey) = Self.key(
      messageID: messageID, bytes: bytes, headersOnly: headersOnly)
    return item
  }

  /// The inquiry a letter makes (design.md, "Inquiry JSON"); what has no field of its own goes
  /// to `extra`.
  func draft(_ letter: MailLetter, receivedAt: Date) -> Inquiry {
    // A form letter without the visitor's address has no sender (not the robot's From).
    let person = letter.formMailer != nil ? letter.sender : (letter.sender ?? letter.from)
    var extra: [String: Value] = [:]
    if let from = letter.from, from != person { extra["from"] = .string(Self.text(from)) }
    if !letter.to.isEmpty { extra["to"] = .array(letter.to.map { .string(Self.text($0)) }) }
    if !letter.cc.isEmpty { extra["cc"] = .array(letter.cc.map { .string(Self.text($0)) }) }
    if let date = letter.date { extra["date"] = .string(Inquiry.timestamp(date)) }
    if let quoted = letter.quoted, !quoted.isEmpty { extra["quoted"] = .string(quoted) }
    if let signature = letter.signature, !signature.isEmpty {
      extra["signature"] = .string(signature)
    }
    if letter.phones.count > 1 { extra["phones"] = .array(letter.phones.map { .string($0) }) }
    if letter.inns.count > 1 { extra["inns"] = .array(letter.inns.map { .string($0) }) }
    if let mailer = letter.mailer { extra["mailer"] = .string(mailer) }
    if !letter.formFields.isEmpty {
      extra["form_fields"] = .object(letter.formFields.mapValues { .string($0) })
    }
    let truncated = letter.attachments.filter(\.truncated).map { Value.string($0.name) }
    if !truncated.isEmpty { extra["attachments_over_limit"] = .array(truncated) }
    if letter.attachmentsOmitted > 0 {
      extra["attachments_omitted"] = .number(String(letter.attachmentsOmitted))
    }
    extra["mailbox"] = .string(mailbox)

    var company: Inquiry.Company?
    if letter.companyName != nil || !letter.inns.isEmpty {
      company = Inquiry.Company(name: letter.companyName, inn: letter.inns.first)
    }
    return Inquiry(
      channel: mailbox, kind: .email, receivedAt: receivedAt, subject: letter.subject,
      text: letter.text,
      sender: Inquiry.Sender(
        name: person?.name ?? letter.senderName,
        email: person.flatMap { EmailNormalizer.normalize($0.email) },
        phone: letter.phones.first),
      company: company, extra: extra,
      source: Inquiry.Source(messageID: letter.messageID))
  }

  static func text(_ address: MailAddress) -> String {
    guard let name = address.name, !name.isEmpty else { return address.email }
    return "\(name) <\(address.email)>"
  }
}
