/// Tells letters that are not leads (channels-reference.md, "E-mail that is not a lead").
enum NoiseClassifier {
  /// Local parts of bounce senders.
  private static let bounceSenders: Set<String> = ["mailer-daemon", "postmaster"]

  /// Whether the header marks the letter as automatic: `Auto-Submitted` other than `no`,
  /// `X-Autoreply: yes`, any `X-Autorespond`. `X-Auto-Response-Suppress` alone does not count.
  static func isAutomatic(_ headers: MIMEHeaders) -> Bool {
    if let value = headers.text("auto-submitted")?.lowercased(), !value.isEmpty,
      !value.hasPrefix("no")
    {
      return true
    }
    if let value = headers.text("x-autoreply")?.lowercased(), value == "yes" || value == "true" {
      return true
    }
    return headers.contains("x-autorespond") || headers.contains("x-autoresponder")
  }

  /// The reason the letter is noise, or `nil` for a lead.
  static func reason(
    message: MIMEParser.Message, letter: MailLetter, options: MailOptions
  ) -> String? {
    let headers = message.root.headers
    let root = message.root
    let type = root.mediaType
    let reportType = root.contentType["report-type"]?.lowercased()
    if type == "multipart/report" && reportType == "disposition-notification"
      || type == "message/disposition-notification"
      || containsPart(root, type: "message/disposition-notification")
    {
      return "read_receipt"
    }
    if type == "multipart/report" || containsPart(root, type: "message/delivery-status") {
      return "bounce"
    }
    if letter.autoSubmitted { return "auto_reply" }
    let fromLocal = letter.from.map { String($0.email.prefix { $0 != "@" }) }
    if let fromLocal, bounceSenders.contains(fromLocal) { return "bounce" }
    if let returnPath = headers.text("return-path"), isNullPath(returnPath) {
      return "bounce"
    }
    if let precedence = (headers.text("precedence") ?? headers.text("x-precedence"))?
      .lowercased(), ["bulk", "junk", "list"].contains(precedence)
    {
      return "mailing_list"
    }
    let listFields = ["list-id", "list-unsubscribe", "list-post", "list-help", "list-subscribe"]
    if listFields.contains(where: headers.contains) { return "mailing_list" }
    if let sender = letter.sender, isOwn(sender.email, options.ownAddresses) {
      return "own_address"
    }
    return nil
  }

  /// Whether a `Return-Path` is the null path `<>` (whitespace aside): on bytes when it is
  /// ASCII (every byte a character, CR LF both whitespace), by characters otherwise.
  static func isNullPath(_ returnPath: String) -> Bool {
    let bytes = returnPath.utf8
    if bytes.allSatisfy({ $0 < 0x80 }) {
      return bytes.lazy.filter { !ByteSearch.isASCIIWhitespace($0) }
        .elementsEqual("<>".utf8)
    }
    return returnPath.filter { !$0.isWhitespace } == "<>"
  }

  private static func containsPart(_ part: MIMEPart, type: String) -> Bool {
    part.children.contains { $0.mediaType == type }
  }

  static func isOwn(_ email: String, _ own: [String]) -> Bool {
    own.contains { entry in
      entry.hasPrefix("@") ? email.hasSuffix(entry) : email == entry
    }
  }
}
