/// A file found in a message, before its name is sanitised.
public struct ExtractedAttachment: Sendable {
  /// The name as declared (decoded), or `nil`.
  public var fileName: String?
  /// `type/subtype`, lower-cased.
  public var mediaType: String
  /// The decoded content.
  public var data: [UInt8]
  /// Whether it is shown in the letter (inline image) rather than attached.
  public var inline: Bool
}

/// The readable content of a message.
public struct ExtractedBody: Sendable {
  /// The letter's text (from text/plain, or HTML converted), forwarded letters included.
  public var text: String = ""
  /// Whether the text came from HTML.
  public var fromHTML = false
  /// Files, in order of appearance.
  public var attachments: [ExtractedAttachment] = []
}

/// Walks a part tree and collects the letter's text and files: in `multipart/alternative`
/// the plain-text version wins, otherwise HTML is converted; `message/rfc822` forwards
/// contribute their own text (with a short header) and files.
public enum BodyExtractor {
  private static let signatureTypes: Set<String> = [
    "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature",
  ]

  /// Extracts text and files from a parsed message.
  public static func extract(_ message: MIMEParser.Message) -> ExtractedBody {
    var body = ExtractedBody()
    var texts: [String] = []
    walk(message.root, into: &body, texts: &texts, depth: 0)
    body.text = texts.filter { !$0.isEmpty }.joined(separator: "\n\n")
    return body
  }

  /// The text of a single text part: transfer decoding, charset, line endings, HTML.
  public static func text(of part: MIMEPart) -> (text: String, html: Bool) {
    var bytes = part.decodedBody
    var charset = part.contentType["charset"]
    let html = part.mediaType == "text/html"
    if html && charset == nil { charset = metaCharset(bytes) }
    // Line endings are made LF on the bytes, before decoding, where CR and LF are the ASCII
    // bytes whatever the charset (all but UTF-16 and UTF-32): one text is built, not two.
    let wide = charset.map { Charset.isWideCharset(Charset.canonicalName($0)) } ?? false
    if !wide { bytes = normaliseNewlines(bytes) }
    var text = Charset.decode(bytes, declared: charset)
    if wide { text = normaliseNewlines(text) }
    if html {
      // An "HTML" body without a tag that breaks lines (a PHP form script's text sent as
      // text/html) keeps its lines.
      if text.utf8.contains(0x0A), !hasLineBreakingTag(text) {
        text = text.replacingOccurrences(of: "\n", with: "<br>\n")
      }
      text = HTMLText.text(from: text)
    } else if part.contentType["format"]?.lowercased() == "flowed" {
      text = unflow(text, deleteSpace: part.contentType["delsp"]?.lowercased() == "yes")
    }
    return (text, html)
  }

  private static let lineBreakingTags = [
    "<br", "<p", "<div", "<tr", "<td", "<li", "<table", "<pre", "<h1", "<h2", "<h3", "<h4",
    "<blockquote", "<ul", "<ol", "<dl", "<center", "<section", "<article", "<hr",
  ]

  private static func hasLineBreakingTag(_ html: String) -> Bool {
    let lowered = html.fastLowercased()
    return lineBreakingTags.contains { lowered.utf8Contains($0) }
  }

  private static func walk(
    _ part: MIMEPart, into body: inout ExtractedBody, texts: inout [String], depth: Int,
    wantText: Bool = true
  ) {
    if part.isEncapsulatedMessage, let inner = part.children.first {
      var innerTexts: [String] = []
      walk(inner, into: &body, texts: &innerTexts, depth: depth + 1, wantText: wantText)
      if wantText {
        texts.append(forwardHeader(inner.headers) + innerTexts.joined(separator: "\n\n"))
      }
      return
    }
    if part.isMultipart && !part.children.isEmpty {
      if part.mediaType == "multipart/alternative" {
        walkAlternative(part, into: &body, texts: &texts, depth: depth, wantText: wantText)
      } else {
        for child in part.children {
          walk(child, into: &body, texts: &texts, depth: depth + 1, wantText: wantText)
        }
      }
      return
    }
    if signatureTypes.contains(part.mediaType) { return }
    // A named text file after the body (Apple Mail marks attached `.txt` files inline) is a
    // file, not more of the letter.
    let namedFileAfterBody = part.fileName != nil && !texts.isEmpty
    // A named text part without any Content-Disposition that comes first, before any text or
    // file, is the letter (form scripts label their only part `name="message.txt"`).
    let namedFirstPart =
      part.disposition == nil && texts.isEmpty && body.attachments.isEmpty
      && (part.mediaType == "text/plain" || part.mediaType == "text/html")
    if (isBodyText(part) || namedFirstPart) && !namedFileAfterBody {
      guard wantText else { return }
      let (text, html) = text(of: part)
      if html { body.fromHTML = true }
      texts.append(text.trimmingASCIIWhitespace())
      return
    }
    if isTNEF(part), let content = TNEF.read(part.decodedBody, text: wantText && texts.isEmpty) {
      // Outlook's Rich Text letter: its files (and, with no text part, its text) are inside;
      // the stream itself is no file of the sender's.
      for file in content.files {
        let mediaType =
          file.mediaType.flatMap { $0.contains("/") ? $0 : nil }
          ?? FileNameSanitiser.mediaType(forName: file.name)
        body.attachments.append(
          ExtractedAttachment(
            fileName: file.name, mediaType: mediaType, data: file.data, inline: false))
      }
      if let text = content.text { texts.append(text) }
      return
    }
    body.attachments.append(
      ExtractedAttachment(
        fileName: part.fileName, mediaType: part.mediaType, data: part.decodedBody,
        inline: part.disposition?.value == "inline"
          || (part.disposition == nil && part.headers.contains("content-id"))))
  }

  /// `application/ms-tnef` (`vnd.ms-tnef`), or a `winmail.dat` of any declared type.
  private static func isTNEF(_ part: MIMEPart) -> Bool {
    part.mediaType == "application/ms-tnef" || part.mediaType == "application/vnd.ms-tnef"
      || part.fileName?.lowercased() == "winmail.dat"
  }

  private static func walkAlternative(
    _ part: MIMEPart, into body: inout ExtractedBody, texts: inout [String], depth: Int,
    wantText: Bool
  ) {
    var plainText: String?
    let plain = part.children.firstIndex { child in
      guard wantText, child.mediaType == "text/plain", isBodyText(child) else { return false }
      let decoded = text(of: child).text.trimmingASCIIWhitespace()
      guard !decoded.isEmpty else { return false }
      plainText = decoded
      return true
    }
    let chosen =
      plain ?? part.children.lastIndex { containsHTML($0) }
      ?? part.children.indices.last!
    for (index, child) in part.children.enumerated() {
      if index == chosen, let plainText {
        texts.append(plainText)
      } else {
        // The versions not shown only contribute their files (inline images of the HTML).
        walk(
          child, into: &body, texts: &texts, depth: depth + 1, wantText: wantText && index == chosen
        )
      }
    }
  }

  private static func containsHTML(_ part: MIMEPart) -> Bool {
    part.mediaType == "text/html" || part.children.contains(where: containsHTML)
  }

  private static func isBodyText(_ part: MIMEPart) -> Bool {
    if part.isAttachmentDisposition { return false }
    let type = part.mediaType
    if type == "text/plain" || type == "text/html" {
      return part.disposition?.value == "inline" || part.fileName == nil
    }
    if type == "message/delivery-status" || type == "message/disposition-notification" {
      return true
    }
    return false
  }

  private static func forwardHeader(_ headers: MIMEHeaders) -> String {
    var lines = ["---------- Forwarded message ----------"]
    for (label, name) in [("From", "from"), ("Date", "date"), ("Subject", "subject"), ("To", "to")]
    {
      // Addresses are written again from what was parsed, a decoded name quoted: «Иванов,
      // Иван» or «Ромашка: отдел продаж» decoded bare would read as two mailboxes or a group.
      if name == "from" || name == "to", let raw = headers.raw(name) {
        let mailboxes = AddressParser.parse(raw)
        if !mailboxes.isEmpty {
          lines.append("\(label): " + mailboxes.map(Self.mailbox).joined(separator: ", "))
          continue
        }
      }
      if let value = headers.text(name), !value.isEmpty { lines.append("\(label): \(value)") }
    }
    return lines.joined(separator: "\n") + "\n\n"
  }

  /// `Name <address>`, the name quoted (its quotes and backslashes escaped) where it holds a
  /// character that would split or end it; or the bare address.
  private static func mailbox(_ mailbox: ParsedAddress) -> String {
    guard let name = mailbox.name, !name.isEmpty else { return mailbox.address }
    guard name.contains(where: { ",;:\"<>@()[]\\".contains($0) }) else {
      return "\(name) <\(mailbox.address)>"
    }
    let escaped = name.replacingOccurrences(of: "\\", with: "\\\\")
      .replacingOccurrences(of: "\"", with: "\\\"")
    return "\"\(escaped)\" <\(mailbox.address)>"
  }

  /// `<meta charset="…">` or `<meta http-equiv content="text/html; charset=…">` near the top.
  static func metaCharset(_ bytes: [UInt8]) -> String? {
    let head = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
    guard let range = head.range(of: "charset=") else { return nil }
    let rest = head[range.upperBound...].drop { $0 == "\"" || $0 == "'" || $0 == " " }
    let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    return name.isEmpty ? nil : String(name)
  }

  /// CR LF and lone CR become LF, in bytes of an ASCII-compatible charset.
  static func normaliseNewlines(_ bytes: [UInt8]) -> [UInt8] {
    guard let first = bytes.firstIndex(of: 0x0D) else { return bytes }
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    output.append(contentsOf: bytes[..<first])
    var previousCR = false
    for byte in bytes[first...] {
      if byte == 0x0D {
        output.append(0x0A)
        previousCR = true
        continue
      }
      if byte == 0x0A && previousCR {
        previousCR = false
        continue
      }
      previousCR = false
      output.append(byte)
    }
    return output
  }

  /// CR LF and lone CR become LF.
  static func normaliseNewlines(_ text: String) -> String {
    guard text.utf8Offset(of: 0x0D) != nil else { return text }
    return String(decoding: normaliseNewlines(Array(text.utf8)), as: UTF8.self)
  }

  /// RFC 3676: a line ending in a space continues on the next line of the same quote depth.
  static func unflow(_ text: String, deleteSpace: Bool) -> String {
    var result: [String] = []
    var current: (depth: Int, text: String)?
    for line in text.lineSlices() {
      let depth = line.prefix { $0 == ">" }.count
      var content = String(line.dropFirst(depth))
      if content.hasPrefix(" ") { content.removeFirst() }  // space-stuffing
      let prefix = depth > 0 ? String(repeating: ">", count: depth) + " " : ""
      if let pending = current, pending.depth != depth {
        result.append(pending.text)
        current = nil
      }
      if content == "-- " {
        if let pending = current { result.append(pending.text) }
        current = nil
        result.append(prefix + content)
        continue
      }
      // The line being joined is taken out of `current` and appended to in place (a copy per
      // flowed line made a long flowed body quadratic).
      var joined = current?.text ?? prefix
      current = nil
      joined += content
      if content.hasSuffix(" ") {
        if deleteSpace { joined.removeLast() }
        current = (depth, joined)
      } else {
        result.append(joined)
        current = nil
      }
    }
    if let pending = current { result.append(pending.text) }
    return result.joined(separator: "\n")
  }
}
