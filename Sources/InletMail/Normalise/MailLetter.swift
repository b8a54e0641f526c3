import Foundation

/// What the normaliser read out of one letter.
public struct MailLetter: Sendable {
  /// `Message-ID` without angle brackets.
  public var messageID: String?
  /// `In-Reply-To` ids, without angle brackets.
  public var inReplyTo: [String] = []
  /// `References` ids, oldest first, without angle brackets.
  public var references: [String] = []
  /// `Date`, if it could be read.
  public var date: Date?
  /// `From`.
  public var from: MailAddress?
  /// `Reply-To` (the first one).
  public var replyTo: MailAddress?
  /// The person who wrote, which is not always `From`:
  ///
  /// 1. When `From` is a no-reply or form-mailer address (`noreply@`, `robot@`, a Bitrix or
  ///    Tilda notification, …) and `Reply-To` names someone else, the sender is `Reply-To`
  ///    (named from the form's name field when `Reply-To` has no display name).
  /// 2. When such a letter has no `Reply-To` but the form's fields hold an e-mail address,
  ///    the sender is that address with the form's name.
  /// 3. A form letter from a robot's or the company's own address with neither is from a
  ///    visitor who left no address (a callback request): no sender; ``senderName`` is the
  ///    form's name.
  /// 4. A letter from the company's own address that forwards someone else's (a colleague
  ///    passing a client's request to the sales mailbox) is from that someone. When the
  ///    forwarded message is a site's notification (its sender a robot), its form is read and
  ///    rules 1–3 apply to it.
  /// 5. Otherwise the sender is `From` (or, without `From`, `Reply-To`, then `Sender`). A
  ///    person's letter that only looks like a form (a «Заявка …» subject, a signature's
  ///    «Тел.:» and «E-mail:» lines; no form mailer's header, `From` neither a robot's nor
  ///    ours) is no form: `From` stays the sender, named from the fields when it has no name.
  ///
  /// `From` on the company's own domain counts as a form mailer's for rule 1 (a site's plugin
  /// sending as `sales@` with the visitor in `Reply-To`); our own or a robot's `Reply-To` does
  /// not count. The own-address noise rule is applied to this sender, so that a form
  /// notification sent from the company's own domain on a visitor's behalf is still a lead.
  public var sender: MailAddress?
  /// The sender named in the header of a forwarded message in the text, if any.
  public var forwardedFrom: MailAddress?
  /// The name of the form's name field, if the letter is a form.
  public var formName: String?
  /// The person's name: the sender's, or the form's when the visitor left no address.
  public var senderName: String? { sender?.name ?? formName }
  /// `To`.
  public var to: [MailAddress] = []
  /// `Cc`.
  public var cc: [MailAddress] = []
  /// `Subject`, decoded.
  public var subject: String?
  /// The new text of the letter, without quoted history and signature.
  public var text: String = ""
  /// The quoted history (`> …`, `On … wrote:`, Outlook's header block and what follows).
  public var quoted: String?
  /// The signature block (after `-- ` or a sign-off such as «С уважением»).
  public var signature: String?
  /// Phone numbers found in the text, signature and form fields, E.164.
  public var phones: [String] = []
  /// INNs with valid check digits found in the text, signature and form fields.
  public var inns: [String] = []
  /// Company name from the signature or a form field (`ООО «Ромашка»`).
  public var companyName: String?
  /// For form-mailer letters: the label → value pairs of the form.
  public var formFields: [String: String] = [:]
  /// Which form mailer sent the letter (`bitrix`, `tilda`, `wordpress`, `form`), if any.
  public var formMailer: String?
  /// Files, up to ``MailOptions/maxAttachments``.
  public var attachments: [MailAttachment] = []
  /// Files beyond ``MailOptions/maxAttachments`` that were not listed.
  public var attachmentsOmitted = 0
  /// `X-Mailer` or `User-Agent`.
  public var mailer: String?
  /// Whether the letter declares itself automatic (`Auto-Submitted`, `X-Autoreply`, …).
  public var autoSubmitted = false
  /// Whether the input had headers only (a letter fetched without its body).
  public var headerOnly = false
  /// Whether the text was converted from HTML.
  public var textFromHTML = false
  /// `List-Id`, when the letter came through a mailing list.
  public var listID: String?

  /// Creates an empty letter.
  public init() {}
}
