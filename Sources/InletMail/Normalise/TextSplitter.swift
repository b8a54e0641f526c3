/// Separates a letter's new text from its quoted history and its signature.
///
/// The quote starts at the first line that is quoted (`>`), an attribution (`On … wrote:`,
/// `… написал(а):`, `… пишет:`, Yandex's and Mail.ru's `…, "Name" <a@b>:`), an
/// `-----Original Message-----` separator or an Outlook header block (`From:`/`От:` followed by
/// `Sent:`/`Отправлено:` and `Subject:`/`Тема:`). Forwarded messages are content, not quotes:
/// those under a marker (`Forwarded message`, `Пересылаемое сообщение`), and, in a letter whose
/// subject says it forwards (Outlook's `FW:` has no marker), its first Outlook header block or
/// `Original Message` block. The signature starts at `-- `, a sign-off line (`С уважением,`,
/// `Best regards,`) near the end, or a mobile client's "Sent from" line.
enum TextSplitter {
  struct Result {
    var text: String
    var quoted: String?
    var signature: String?
    /// A forwarded message in the text: what precedes its marker, and the address its header
    /// names as the sender (`From: Иван <ivan@x.ru>`, `03.04.2024, 09:00, "Клиент" <c@f.ru>:`).
    var forward: Forward?
  }

  /// A forwarded message found in a letter's text.
  struct Forward {
    /// The text before its marker.
    var before: String
    /// The marker line and what follows it.
    var message: String
    /// The line of its header that names its sender.
    var fromLine: String?
    /// The forwarded message's own text, below its header.
    var text: String
  }

  private static let attributionEndings = [
    "wrote:", "writes:", "написал:", "написала:", "написал(а):", "написали:", "пишет:",
    "писал(а):", "писал:", "писала:", "пишут:", "schrieb:", "a écrit :", "a écrit:",
  ]
  private static let originalMarkers = [
    "original message", "исходное сообщение", "исходное письмо", "оригинальное сообщение",
  ]
  private static let forwardMarkers = [
    "forwarded message", "пересылаемое сообщение", "переадресованное сообщение",
    "перенаправленное сообщение", "пересланное сообщение", "начало переадресованного",
    "begin forwarded message", "forwarded by",
  ]
  /// The fields of a forwarded message's header (`От:`, `Отправлено:`, `Кому:`, `Тема:`, …).
  private static let headerFields = [
    "from:", "от:", "от кого:", "sent:", "отправлено:", "date:", "дата:", "to:", "кому:", "cc:",
    "копия:", "subject:", "тема:", "reply-to:", "importance:", "важность:", "отправитель:",
    "ответ-кому:",
  ]
  private static let signOffs = [
    "с уважением", "с наилучшими пожеланиями", "всего доброго", "всего наилучшего",
    "best regards", "kind regards", "regards,", "regards", "best wishes", "sincerely",
    "cheers,", "с уважением и наилучшими пожеланиями", "искренне ваш",
  ]
  private static let mobileFooters = [
    "отправлено из мобильной почты mail.ru", "sent from my iphone", "sent from my ipad",
    "отправлено с iphone", "отправлено с моего iphone", "отправлено из приложения яндекс",
    "sent from yandex mail", "sent from mail.ru", "отправлено с моего смартфона",
    "sent from my android", "отправлено с мобильного", "get outlook for",
    "отправлено из mail.ru", "отправлено из мобильной яндекс", "получить outlook для",
  ]
  /// A sign-off further from the end than this is part of the text.
  private static let maximumSignatureLines = 15
  /// The sign-offs and footers as bytes, and how many leading bytes of a line can decide a
  /// match (one more, so a Cyrillic capital cut at the end is still lower-cased whole).
  private static let signOffBytes = signOffs.map { Array($0.utf8) }
  private static let mobileFooterBytes = mobileFooters.map { Array($0.utf8) }
  private static let markerPrefixLength =
    (signOffs + mobileFooters).map(\.utf8.count).max()! + 1

  /// Splits a letter's text; `forwarding` tells that its subject says it forwards another
  /// (``FormMailer/isForwardSubject(_:)``), so that an Outlook header block is the forwarded
  /// message rather than the history of a reply.
  static func split(_ text: String, forwarding: Bool = false) -> Result {
    let lines = text.lineSlices()
    var own: [Substring] = []
    var quotedLines: [Substring] = []
    var index = 0
    while index < lines.count {
      guard let start = findQuoteStart(lines, from: index, forwarding: forwarding) else {
        own += lines[index...]
        break
      }
      own += lines[index..<start]
      if !isAngleQuote(lines, start) {
        // Outlook and Gmail-HTML style: everything from here on is history.
        quotedLines += lines[start...]
        break
      }
      // `>` quoting: the quoted block ends at the next unquoted line, and what follows is new
      // text again (bottom-posting, interleaved answers, a signature below the quote).
      var cursor = start
      if !lines[cursor].trimmedASCII().hasPrefix(">") {
        quotedLines.append(lines[cursor])
        cursor += 1
      }
      while cursor < lines.count {
        let trimmed = lines[cursor].trimmedASCII()
        guard trimmed.hasPrefix(">") || trimmed.isEmpty else { break }
        quotedLines.append(lines[cursor])
        cursor += 1
      }
      quotedLines.append("")
      index = cursor
    }
    let unchanged = own.count == lines.count && !collapsingChanges(own)
    var body = unchanged ? own : collapseBlankLines(own)
    var signature: String?
    // A forwarded message is content: the writer's signature ends where it starts, and the
    // forwarded letter's own signature is part of it.
    let forwardIndex = firstForwardMarker(body, forwarding: forwarding)
    let signatureStart = findSignatureStart(Array(body[..<(forwardIndex ?? body.count)]))
    if let start = signatureStart {
      let end = forwardIndex ?? body.count
      var signatureLines = body[start..<end]
      let first = signatureLines.first.map { String($0).trimmingASCIIWhitespace() }
      if first == "--" || signatureLines.first == "-- " {
        signatureLines = signatureLines.dropFirst()
      }
      let joined = signatureLines.joined(separator: "\n").trimmingASCIIWhitespace()
      signature = joined.isEmpty ? nil : joined
      body = Array(body[..<start]) + Array(body[end...])
    }
    var forward: Forward?
    if let marker = firstForwardMarker(body, forwarding: forwarding) {
      // Apple Mail quotes a forwarded message below its marker (`> От: …`, `> text`): read as
      // the message it is, its header and its text.
      let message = [body[marker]] + dequoted(body[(marker + 1)...])
      let header = forwardedHeader(message, at: 0)
      forward = Forward(
        before: body[..<marker].joined(separator: "\n").trimmingASCIIWhitespace(),
        message: message.joined(separator: "\n"),
        fromLine: header.fromLine,
        text: message[header.textStart...].joined(separator: "\n").trimmingASCIIWhitespace())
    }
    let quoted = collapseBlankLines(quotedLines).joined(separator: "\n").trimmingASCIIWhitespace()
    // The usual letter, with no quote, no signature and no blank runs: its lines joined again
    // are the text itself.
    let ownText = unchanged && signatureStart == nil ? text : body.joined(separator: "\n")
    return Result(
      text: ownText.trimmingASCIIWhitespace(),
      quoted: quoted.isEmpty ? nil : quoted, signature: signature, forward: forward)
  }

  /// The index of the first forward marker line («-------- Пересылаемое сообщение --------»,
  /// «---------- Forwarded message ---------»), if any; when `forwarding`, also of the first
  /// `Original Message` line or Outlook header block (or the rule above it).
  private static func firstForwardMarker(_ lines: [Substring], forwarding: Bool) -> Int? {
    for (index, line) in lines.enumerated() {
      let trimmed = line.trimmedASCII()
      guard mayStartQuote(trimmed) else { continue }
      let lower = trimmed.fastLowercased()
      if isForwardMarker(lower) { return index }
      guard forwarding else { continue }
      if isOriginalMarker(lower) { return index }
      if isOutlookHeaderBlock(lines, index, lower) {
        return index > 0 && isRule(lines[index - 1]) ? index - 1 : index
      }
    }
    return nil
  }

  /// A forwarded message's header, from its marker on: the line that names its sender
  /// (`From:`/`От:`/`От кого:`, or an attribution line with an address, among the first lines),
  /// and the index of the first line below the header. The header's fields may be apart by
  /// blank lines (an HTML letter's block); the text starts at the first other line after a
  /// blank one.
  private static func forwardedHeader(
    _ lines: [Substring], at marker: Int
  ) -> (fromLine: String?, textStart: Int) {
    var fromLine: String?
    var textStart = marker + 1
    var seen = 0
    var blankAbove = false
    // The header ends at a field it already had, or at a blank line after its subject: below
    // is the message, which may begin with header-like lines of its own (a forwarded form's
    // `От: Мария <…>` / `Тема: …`).
    var fields: Set<String> = []
    var subjectAbove = false
    for index in marker..<lines.count {
      let trimmed = lines[index].trimmedASCII()
      if trimmed.isEmpty {
        blankAbove = true
        continue
      }
      if blankAbove && subjectAbove { break }
      seen += 1
      if seen > 14 { break }
      let lower = trimmed.fastLowercased()
      let field = lower.firstIndex(of: ":").map { String(lower[...$0]) }
      if let field, headerFields.contains(field) || field == "от кого:" {
        let isFrom = field == "от:" || field == "от кого:" || field == "отправитель:"
        guard fields.insert(isFrom ? "from:" : field).inserted else { break }
        subjectAbove = field == "subject:" || field == "тема:"
      }
      if lower.utf8HasPrefix("from:") || lower.utf8HasPrefix("от:")
        || lower.utf8HasPrefix("от кого:") || lower.utf8HasPrefix("отправитель:")
      {
        if fromLine == nil && seen <= 9 {
          fromLine = String(trimmed[trimmed.index(after: trimmed.firstIndex(of: ":")!)...])
        }
      } else if lower.utf8HasSuffix(">:") && lower.utf8.contains(UInt8(ascii: "@")) {
        if fromLine == nil && seen <= 9 { fromLine = String(trimmed.dropLast()) }
      } else if !headerFields.contains(where: { lower.utf8HasPrefix($0) }) {
        // The marker line, a wrapped `To:` list, or the message's first line.
        if index > marker && blankAbove { break }
        continue
      }
      textStart = index + 1
      blankAbove = false
    }
    return (fromLine, textStart)
  }

  /// The lines without one level of `>` quoting when every line that is not blank has it (a
  /// forward Apple Mail quoted below its marker); else the lines as they are.
  private static func dequoted(_ lines: ArraySlice<Substring>) -> [Substring] {
    var quoted = false
    for line in lines {
      let trimmed = line.trimmedASCII()
      if trimmed.isEmpty { continue }
      guard trimmed.utf8.first == UInt8(ascii: ">") else { return Array(lines) }
      quoted = true
    }
    guard quoted else { return Array(lines) }
    return lines.map { line in
      let trimmed = line.trimmedASCII()
      guard trimmed.utf8.first == UInt8(ascii: ">") else { return trimmed }
      let rest = trimmed.dropFirst()
      return rest.first == " " ? rest.dropFirst() : rest
    }
  }

  /// Whether ``collapseBlankLines(_:)`` would change the lines: a blank line that is not
  /// empty, or two blank lines in a row.
  private static func collapsingChanges(_ lines: [Substring]) -> Bool {
    var previousBlank = false
    for line in lines {
      let empty = line.utf8.isEmpty
      let blank = empty || line.trimmedASCII().utf8.isEmpty
      if blank && (!empty || previousBlank) { return true }
      previousBlank = blank
    }
    return false
  }

  private static func collapseBlankLines(_ lines: [Substring]) -> [Substring] {
    var result: [Substring] = []
    for line in lines {
      let blank = line.trimmedASCII().isEmpty
      if blank, let last = result.last, last.isEmpty { continue }
      result.append(blank ? "" : line)
    }
    return result
  }

  /// Whether the quote at `start` is a `>` block (possibly under an attribution line).
  private static func isAngleQuote(_ lines: [Substring], _ start: Int) -> Bool {
    var index = start
    while index < lines.count {
      let trimmed = lines[index].trimmedASCII()
      if trimmed.hasPrefix(">") { return true }
      if !trimmed.isEmpty && index > start { return false }
      index += 1
    }
    return false
  }

  private static func findQuoteStart(
    _ lines: [Substring], from first: Int, forwarding: Bool
  ) -> Int? {
    var index = first
    // Each line is trimmed once: it is the next line of one step and the line of the next.
    var line = index < lines.count ? lines[index].trimmedASCII() : ""
    while index < lines.count {
      let next: Substring? = index + 1 < lines.count ? lines[index + 1].trimmedASCII() : nil
      defer {
        index += 1
        line = next ?? ""
      }
      if line.utf8.first == UInt8(ascii: ">") {
        return max(first, attributionAbove(lines, index))
      }
      let nextEndsWithColon = next?.utf8.last == UInt8(ascii: ":")
      guard mayStartQuote(line) || nextEndsWithColon else { continue }
      let lower = line.fastLowercased()
      // A forward, and all below it, is content.
      if isForwardMarker(lower) { return nil }
      if isOriginalMarker(lower) { return forwarding ? nil : index }
      if isAttribution(lower) { return index }
      // Gmail wraps long attributions: "On Mon, … Ivan <a@b>" / "wrote:".
      if let next, nextEndsWithColon, line.utf8.count < 400 {
        let nextLower = next.fastLowercased()
        if attributionEndings.contains(nextLower)
          && (lower.utf8HasPrefix("on ") || lower.utf8.contains(UInt8(ascii: "@")))
        {
          return index
        }
      }
      if isOutlookHeaderBlock(lines, index, lower) {
        if forwarding { return nil }
        if index > first, isRule(lines[index - 1]) { return index - 1 }
        return index
      }
    }
    return nil
  }

  /// `начало` (of «Начало переадресованного сообщения») as bytes, lower-case.
  private static let forwardOpening = Array("начало".utf8)

  /// Whether a (trimmed) line can be a marker at all, so that most lines are ruled out
  /// without lower-casing them. A forward or original-message marker starts with `-` or `_`,
  /// ends with a colon, or starts with `начало`; an attribution ends with a colon; an Outlook
  /// block's first line (`From:`, `От:`, `От кого:`) has its colon within its first 14 bytes.
  private static func mayStartQuote(_ line: Substring) -> Bool {
    let bytes = line.utf8
    // Over the contiguous bytes where they are (every line of every letter comes here; a
    // substring's UTF-8 index is slow to step).
    let decided: Bool?? = bytes.withContiguousStorageIfAvailable { buffer -> Bool? in
      guard let first = buffer.first else { return false }
      if first == UInt8(ascii: "-") || first == UInt8(ascii: "_") { return true }
      if buffer.last == UInt8(ascii: ":") { return true }
      if buffer.prefix(14).contains(UInt8(ascii: ":")) { return true }
      // `начало` (`н` D0 BD, `Н` D0 9D) in any case: other Cyrillic lines are ruled out here.
      guard first == 0xD0, buffer.count > 1, buffer[1] == 0xBD || buffer[1] == 0x9D else {
        return false
      }
      return nil
    }
    if let decided, let answer = decided { return answer }
    guard let first = bytes.first else { return false }
    if first == UInt8(ascii: "-") || first == UInt8(ascii: "_") { return true }
    if bytes.last == UInt8(ascii: ":") { return true }
    var index = bytes.startIndex
    for _ in 0..<14 {
      guard index < bytes.endIndex else { break }
      if bytes[index] == UInt8(ascii: ":") { return true }
      bytes.formIndex(after: &index)
    }
    return first == 0xD0 && ByteSearch.lowercasedHead(of: bytes, startsWith: forwardOpening)
  }

  /// A `>` block may be introduced by an attribution line just above it.
  private static func attributionAbove(_ lines: [Substring], _ index: Int) -> Int {
    var above = index - 1
    while above >= 0 && lines[above].trimmedASCII().isEmpty { above -= 1 }
    guard above >= 0 else { return index }
    let line = lines[above].trimmedASCII()
    return line.utf8HasSuffix(":") && line.utf8.count < 400 ? above : index
  }

  private static func isAttribution(_ lower: String) -> Bool {
    // Every attribution form ends with a colon; most lines do not, and stop here.
    guard lower.utf8.last == UInt8(ascii: ":"), lower.utf8.count < 500 else { return false }
    if attributionEndings.contains(where: { lower.utf8HasSuffix($0) }) { return true }
    if lower.utf8HasPrefix("вы писали") || lower.utf8HasPrefix("you wrote") { return true }
    // Yandex: `12.03.2024, 10:15, "Иван" <ivan@x.ru>:`; Mail.ru: `… от Иван <ivan@x.ru>:`.
    return lower.utf8HasSuffix(">:") && lower.utf8.contains(UInt8(ascii: "@"))
      && lower.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
  }

  private static func isOriginalMarker(_ lower: String) -> Bool {
    guard lower.utf8HasPrefix("--") || lower.utf8HasPrefix("__") else { return false }
    return originalMarkers.contains { lower.utf8Contains($0) }
  }

  private static func isForwardMarker(_ lower: String) -> Bool {
    guard lower.utf8.count < 240,
      lower.utf8HasPrefix("-") || lower.utf8HasSuffix(":") || lower.utf8HasPrefix("начало")
    else { return false }
    return forwardMarkers.contains { lower.utf8Contains($0) }
  }

  private static func isRule(_ line: Substring) -> Bool {
    let trimmed = line.trimmedASCII()
    return trimmed.count >= 10 && trimmed.allSatisfy { $0 == "_" || $0 == "-" }
  }

  private static func isOutlookHeaderBlock(
    _ lines: [Substring], _ index: Int, _ lower: String
  ) -> Bool {
    guard
      lower.utf8HasPrefix("from:") || lower.utf8HasPrefix("от:") || lower.utf8HasPrefix("от кого:")
    else { return false }
    var sawDate = false
    var sawSubject = false
    // The date comes right after the sender (Outlook's `Sent:`, a forward's `Date:`), then up
    // to a dozen lines of header: long `To:`/`Cc:` lists wrap over several lines, and an HTML
    // letter's block has blank lines between its fields. A form's `От:`/`Тема:` lines have no
    // date after the sender.
    var fields = 0
    for next in lines[(index + 1)..<min(lines.count, index + 30)] {
      let trimmed = next.trimmedASCII()
      if trimmed.isEmpty { continue }
      fields += 1
      if fields > 12 { break }
      let nextLower = trimmed.fastLowercased()
      if fields == 1 {
        sawDate = ["sent:", "отправлено:", "date:", "дата:"].contains {
          nextLower.utf8HasPrefix($0)
        }
        if !sawDate { return false }
      }
      if nextLower.utf8HasPrefix("subject:") || nextLower.utf8HasPrefix("тема:") {
        sawSubject = true
      }
    }
    return sawDate && sawSubject
  }

  /// The first two bytes a sign-off or footer can start with, in either case (a Latin first
  /// letter with any second byte): most lines are ruled out before their head is lower-cased.
  private static let markerOpenings: [Bool] = {
    var table = [Bool](repeating: false, count: 1 << 16)
    for marker in signOffs + mobileFooters {
      let first = marker.first!
      for variant in [String(first).lowercased(), String(first).uppercased()] {
        let bytes = Array(variant.utf8)
        if bytes.count == 1 {
          for second in 0..<256 { table[Int(bytes[0]) << 8 | second] = true }
        } else {
          table[Int(bytes[0]) << 8 | Int(bytes[1])] = true
        }
      }
    }
    return table
  }()

  private static func mayStartMarker(_ bytes: Substring.UTF8View) -> Bool {
    var iterator = bytes.makeIterator()
    guard let first = iterator.next(), let second = iterator.next() else { return false }
    return markerOpenings[Int(first) << 8 | Int(second)]
  }

  private static func findSignatureStart(_ lines: [Substring]) -> Int? {
    for (index, line) in lines.enumerated() {
      let trimmed = line.trimmedASCII()
      let nearEnd = lines.count - index <= maximumSignatureLines + 1
      // The delimiter `-- ` (RFC 3676) anywhere; `--` whose space a mailer dropped only near
      // the end, as a sign-off: higher up it is a separator or a dash the writer typed, and
      // the text after it is no signature.
      if line.utf8.elementsEqual("-- ".utf8) || (nearEnd && trimmed.utf8.elementsEqual("--".utf8)) {
        return index
      }
      // Sign-offs and footers are short lines; long ones need no lower-casing. Only the head
      // of a line is lower-cased (bytewise, as `fastLowercased` does, on the stack): prefixes
      // decide.
      // A footer may follow the delimiter on its own line (`-- Отправлено из Mail.ru для
      // Android`).
      let head = trimmed.utf8.starts(with: "-- ".utf8) ? trimmed.dropFirst(3) : trimmed
      guard head.utf8.count <= 120, mayStartMarker(head.utf8) else { continue }
      let (footer, signOff) = ByteSearch.withLowercasedHead(
        of: head.utf8, length: markerPrefixLength
      ) { head in
        (
          mobileFooterBytes.contains(where: { head.starts(with: $0) }),
          nearEnd && signOffBytes.contains(where: { head.starts(with: $0) })
        )
      }
      if footer { return index }
      // «С уважением, Иван» or «С уважением,» alone on its line.
      if signOff && endsSignOff(head) { return index }
    }
    return nil
  }

  /// Whether a line that starts with a sign-off is one, not a sentence that starts alike
  /// («С уважением к вашему времени: …», «Regardless of …»): the phrase is a whole word, and
  /// ends the line, or is followed by punctuation, a capitalised name, or a few more words
  /// («Sincerely yours,», «С уважением и благодарностью,») that ask or announce nothing.
  private static func endsSignOff(_ line: Substring) -> Bool {
    let lower = line.lowercased()
    return signOffs.contains { phrase in
      guard lower.hasPrefix(phrase) else { return false }
      let after = line.dropFirst(phrase.count)
      if let first = after.first, first.isLetter { return false }
      let rest = after.drop { $0 == " " || $0 == "\t" || $0 == "\u{A0}" }
      guard let next = rest.first else { return true }
      if ",.!;:…–—-".contains(next) || next.isUppercase { return true }
      return rest.count <= 30 && !rest.contains(":") && !rest.contains("?")
    }
  }
}
