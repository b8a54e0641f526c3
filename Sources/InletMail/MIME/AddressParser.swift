/// One mailbox from an address header, before any normalisation of the address.
public struct ParsedAddress: Sendable, Equatable {
  /// The decoded display name, if any.
  public var name: String?
  /// The address as written (`user@host`).
  public var address: String

  /// Creates a mailbox.
  public init(name: String?, address: String) {
    self.name = name
    self.address = address
  }
}

/// Parses address lists (RFC 5322 section 3.4 with the obsolete forms): quoted and encoded
/// display names, comments, groups, route addresses, and the broken shapes mailers produce
/// (unquoted commas inside encoded names, names after the address in a comment).
public enum AddressParser {
  /// Parses a raw header value into its mailboxes; entries without an `@` are dropped.
  public static func parse(_ raw: [UInt8]) -> [ParsedAddress] {
    let result = parseList(raw)
    guard result.isEmpty, hasEncodedWord(raw) else { return result }
    // A mailer that encoded the whole value, address included (PHP's
    // `mb_encode_mimeheader("Имя <addr>")`): `=?UTF-8?B?0KHQsNC50YIgPG5v…?=` shows no `@`
    // until it is decoded.
    let text = HeaderText.decode(raw).trimmingASCIIWhitespace()
    // One mailbox, `Name <addr>`: the name is all before the angle, whatever punctuation it
    // holds once decoded («Иванов, Иван», «Ромашка: отдел продаж»).
    if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
      let address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        .trimmingASCIIWhitespace()
      if address.utf8.contains(UInt8(ascii: "@")), !address.contains(" ") {
        let name = displayName(Array(text[..<open].trimmedASCII().utf8))
        return [ParsedAddress(name: name, address: address)]
      }
    }
    let decoded = Array(text.utf8)
    return decoded == raw ? result : parseList(decoded)
  }

  /// Whether `raw` holds the start of an encoded word (`=?`).
  private static func hasEncodedWord(_ raw: [UInt8]) -> Bool {
    var previous: UInt8 = 0
    for byte in raw {
      if previous == UInt8(ascii: "="), byte == UInt8(ascii: "?") { return true }
      previous = byte
    }
    return false
  }

  private static func parseList(_ raw: [UInt8]) -> [ParsedAddress] {
    var result: [ParsedAddress] = []
    for chunk in splitMailboxes(raw) {
      if let mailbox = parseMailbox(chunk) { result.append(mailbox) }
      if result.count >= 500 { break }
    }
    return result
  }

  /// Splits on top-level commas and group punctuation (`label:` and `;`).
  private static func splitMailboxes(_ raw: [UInt8]) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var current: [UInt8] = []
    var currentHasAt = false  // kept, not searched for at every `:` (quadratic on `@::::…`)
    var inQuotes = false
    var inAngle = false
    var commentDepth = 0
    var escaped = false
    // Inside an encoded word (`=?charset?Q?text?=`): the `?`s seen, 1 at its `=`, 5 at the one
    // before its closing `=`. Broken mailers leave a raw comma in one (`=?utf-8?Q?Иванов,_Иван?=`):
    // it is the name's, not a separator.
    var encodedMarks = 0
    for (offset, byte) in raw.enumerated() {
      if encodedMarks > 0 {
        switch byte {
        case 0x20, 0x09, 0x0D, 0x0A:
          encodedMarks = 0  // no encoded word after all
        case UInt8(ascii: "?"):
          encodedMarks += 1
          current.append(byte)
          continue
        case UInt8(ascii: "=") where encodedMarks == 5:
          encodedMarks = 0
          current.append(byte)
          continue
        default:
          if byte == UInt8(ascii: "@") { currentHasAt = true }
          current.append(byte)
          continue
        }
      } else if byte == UInt8(ascii: "="), !inQuotes, !inAngle, commentDepth == 0, !escaped,
        offset + 1 < raw.count, raw[offset + 1] == UInt8(ascii: "?")
      {
        encodedMarks = 1
        current.append(byte)
        continue
      }
      if escaped {
        escaped = false
        if byte == UInt8(ascii: "@") { currentHasAt = true }
        current.append(byte)
        continue
      }
      switch byte {
      case UInt8(ascii: "\\") where inQuotes || commentDepth > 0:
        escaped = true
      case UInt8(ascii: "\"") where commentDepth == 0:
        inQuotes.toggle()
      case UInt8(ascii: "(") where !inQuotes:
        commentDepth += 1
      case UInt8(ascii: ")") where !inQuotes && commentDepth > 0:
        commentDepth -= 1
      case UInt8(ascii: "<") where !inQuotes && commentDepth == 0:
        inAngle = true
      case UInt8(ascii: ">") where !inQuotes && commentDepth == 0:
        inAngle = false
      case UInt8(ascii: ","), UInt8(ascii: ";"):
        if !inQuotes && !inAngle && commentDepth == 0 {
          chunks.append(current)
          current = []
          currentHasAt = false
          continue
        }
      case UInt8(ascii: ":"):
        if !inQuotes && !inAngle && commentDepth == 0 && !currentHasAt {
          // A group label: what came before it is not a mailbox.
          current = []
          continue
        }
      default:
        break
      }
      if byte == UInt8(ascii: "@") { currentHasAt = true }
      current.append(byte)
    }
    chunks.append(current)
    return chunks
  }

  private static func parseMailbox(_ chunk: [UInt8]) -> ParsedAddress? {
    var phrase: [UInt8] = []
    var comment: [UInt8] = []
    var angle: [UInt8]?
    var index = 0
    var inQuotes = false
    var commentDepth = 0
    while index < chunk.count {
      let byte = chunk[index]
      if inQuotes {
        if byte == UInt8(ascii: "\\") && index + 1 < chunk.count {
          phrase.append(chunk[index + 1])
          index += 2
          continue
        }
        if byte == UInt8(ascii: "\"") {
          inQuotes = false
        } else {
          phrase.append(byte)
        }
      } else if commentDepth > 0 {
        if byte == UInt8(ascii: "(") { commentDepth += 1 }
        if byte == UInt8(ascii: ")") { commentDepth -= 1 }
        if commentDepth > 0 { comment.append(byte) }
      } else if byte == UInt8(ascii: "\"") {
        inQuotes = true
      } else if byte == UInt8(ascii: "(") {
        commentDepth = 1
        if !comment.isEmpty { comment.append(0x20) }
      } else if byte == UInt8(ascii: "<") {
        var close = index + 1
        while close < chunk.count && chunk[close] != UInt8(ascii: ">") { close += 1 }
        angle = Array(chunk[(index + 1)..<close])
        index = close + 1
        continue
      } else {
        phrase.append(byte)
      }
      index += 1
    }
    if var inner = angle {
      // Obsolete route: `<@relay1,@relay2:user@host>`.
      if let colon = inner.lastIndex(of: UInt8(ascii: ":")), inner.first == UInt8(ascii: "@") {
        inner = Array(inner[(colon + 1)...])
      }
      let address = String(
        decoding: inner.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A },
        as: UTF8.self)
      if address.utf8.contains(UInt8(ascii: "@")) {
        let name = displayName(phrase.isEmpty ? comment : phrase)
        return ParsedAddress(name: name, address: address)
      }
    }
    // A bare address, maybe with the name in a comment: `user@host (Name)`.
    let bare = String(decoding: phrase, as: UTF8.self).trimmingASCIIWhitespace()
    let words = bare.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard let address = words.first(where: { $0.utf8.contains(UInt8(ascii: "@")) }) else {
      return nil
    }
    let rest = words.filter { !$0.utf8.contains(UInt8(ascii: "@")) }.joined(separator: " ")
    let name = displayName(comment.isEmpty ? Array(rest.utf8) : comment)
    return ParsedAddress(name: name, address: String(address))
  }

  private static func displayName(_ bytes: [UInt8]) -> String? {
    let decoded = HeaderText.decode(bytes)
    // A name quoted twice (`"\"Ivan\""`) or quoted inside an encoded word: the quotes are
    // peeled off a slice (a copy per pair made `"""…"""` quadratic).
    var text = Substring(decoded)
    while text.utf8.count >= 2, let first = text.first, first == text.last,
      first == "\"" || first == "'"
    {
      text = text[text.index(after: text.startIndex)..<text.index(before: text.endIndex)]
        .trimmedASCII()
    }
    return text.isEmpty ? nil : String(text)
  }
}

extension String {
  func trimmingCharacters(inSet set: Set<Character>) -> String {
    var slice = Substring(self)
    while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
    while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
    return String(slice)
  }
}
