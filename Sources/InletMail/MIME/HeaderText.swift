/// Decodes unstructured header text: RFC 2047 encoded words (B and Q), adjacent words joined
/// with the whitespace between them dropped, the bytes of adjacent words in the same charset
/// decoded together (a multibyte character may be split across two words), raw 8-bit bytes
/// (RFC 6532 UTF-8, or an undeclared Cyrillic code page) detected.
public enum HeaderText {
  private enum Piece {
    case literal([UInt8])
    case encoded(charset: String, bytes: [UInt8])
  }

  /// Decodes a raw header value into text with whitespace runs collapsed and ends trimmed.
  public static func decode(_ raw: some Collection<UInt8>) -> String {
    let bytes = Array(raw)
    return collapseWhitespace(decodeKeepingSpaces(bytes))
  }

  /// Decodes without collapsing whitespace (for parameter values and phrases).
  static func decodeKeepingSpaces(_ bytes: [UInt8]) -> String {
    if !containsEncodedWordStart(bytes) {
      return literalText(bytes)
    }
    var pieces: [Piece] = []
    var literal: [UInt8] = []
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "="), index + 1 < bytes.count,
        bytes[index + 1] == UInt8(ascii: "?"),
        let (word, next) = encodedWord(bytes, at: index)
      {
        if !literal.isEmpty {
          let onlySpace = literal.allSatisfy {
            $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A
          }
          if !(onlySpace && isEncoded(pieces.last)) { pieces.append(.literal(literal)) }
          literal = []
        }
        // (`utf-8` and `UTF-8` are one charset: a character split between the two words is
        // joined whatever the case of their labels.)
        if case .encoded(let charset, _)? = pieces.last,
          charset.lowercased() == word.charset.lowercased(),
          case .encoded(_, var joined) = pieces.removeLast()
        {
          // Taken out before appending, so a run of adjacent words grows in place.
          joined.append(contentsOf: word.bytes)
          pieces.append(.encoded(charset: charset, bytes: joined))
        } else {
          pieces.append(.encoded(charset: word.charset, bytes: word.bytes))
        }
        index = next
        continue
      }
      literal.append(bytes[index])
      index += 1
    }
    if !literal.isEmpty { pieces.append(.literal(literal)) }
    var text = ""
    for piece in pieces {
      switch piece {
      case .literal(let bytes): text += literalText(bytes)
      case .encoded(let charset, let bytes): text += Charset.decode(bytes, declared: charset)
      }
    }
    return text
  }

  private static func isEncoded(_ piece: Piece?) -> Bool {
    if case .encoded? = piece { return true }
    return false
  }

  private static func containsEncodedWordStart(_ bytes: [UInt8]) -> Bool {
    var index = 0
    while index + 1 < bytes.count {
      if bytes[index] == UInt8(ascii: "=") && bytes[index + 1] == UInt8(ascii: "?") { return true }
      index += 1
    }
    return false
  }

  private static func literalText(_ bytes: [UInt8]) -> String {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    return Charset.detect(bytes)
  }

  /// Parses `=?charset?B|Q?text?=` at `start`; `nil` when it is not a well-formed word.
  private static func encodedWord(
    _ bytes: [UInt8], at start: Int
  ) -> ((charset: String, bytes: [UInt8]), Int)? {
    var index = start + 2
    let charsetStart = index
    while index < bytes.count && bytes[index] != UInt8(ascii: "?") {
      let byte = bytes[index]
      if byte <= 0x20 || byte >= 0x7F || index - charsetStart > 64 { return nil }
      index += 1
    }
    guard index + 3 < bytes.count, index > charsetStart else { return nil }
    let charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self)
    let encoding = bytes[index + 1] | 0x20
    guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q"),
      bytes[index + 2] == UInt8(ascii: "?")
    else { return nil }
    let textStart = index + 3
    var textEnd = textStart
    while textEnd + 1 < bytes.count {
      if bytes[textEnd] == UInt8(ascii: "?") && bytes[textEnd + 1] == UInt8(ascii: "=") { break }
      let byte = bytes[textEnd]
      // Words never contain line breaks; some mailers do put spaces in Q text.
      if byte == 0x0A || byte == 0x0D || textEnd - textStart > 4096 { return nil }
      textEnd += 1
    }
    guard textEnd + 1 < bytes.count else { return nil }
    let text = bytes[textStart..<textEnd]
    let decoded =
      encoding == UInt8(ascii: "b")
      ? TransferDecoding.base64(text) : TransferDecoding.quotedPrintable(text, headerForm: true)
    return ((charset, decoded), textEnd + 2)
  }

  /// Collapses runs of whitespace (including line breaks left by folding) into one space and
  /// drops control characters.
  static func collapseWhitespace(_ text: String) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(text.utf8.count)
    var pendingSpace = false
    var changed = false
    for byte in text.utf8 {
      if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
        if byte != 0x20 || pendingSpace || output.isEmpty { changed = true }
        pendingSpace = true
      } else if byte < 0x20 || byte == 0x7F {
        changed = true
      } else {
        if pendingSpace && !output.isEmpty { output.append(0x20) }
        pendingSpace = false
        output.append(byte)
      }
    }
    if pendingSpace { changed = true }
    return changed ? String(decoding: output, as: UTF8.self) : text
  }
}
