import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Parses one complete response (its lines and literals, ending in CRLF) from raw bytes. Every
/// malformation becomes `IMAPError.protocolViolation`; nothing traps.
struct IMAPResponseParser {
  private let bytes: UnsafeBufferPointer<UInt8>
  private var index = 0
  private static let maxDepth = 32

  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
  }

  static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(IMAPError) -> IMAPResponse {
    var parser = IMAPResponseParser(bytes)
    return try parser.response()
  }

  /// The fast path for `* n FETCH (...)`: no intermediate values, the body literal copied once.
  /// Nil when the response is not a FETCH.
  static func parseFetch(_ bytes: UnsafeBufferPointer<UInt8>) throws(IMAPError)
    -> IMAPFetchFields?
  {
    var parser = IMAPResponseParser(bytes)
    return try parser.fetch()
  }

  private mutating func fetch() throws(IMAPError) -> IMAPFetchFields? {
    guard bytes.count > 10, bytes[0] == UInt8(ascii: "*"), bytes[1] == UInt8(ascii: " ") else {
      return nil
    }
    index = 2
    guard let sequence = number(), sequence <= UInt64(UInt32.max),
      peek() == UInt8(ascii: " ")
    else { return nil }
    index += 1
    let keyword = atomRange()
    guard matchesWord(keyword, "FETCH") else { return nil }
    skipSpaces()
    guard peek() == UInt8(ascii: "(") else { throw violation("FETCH without a list") }
    index += 1
    var fields = IMAPFetchFields(sequence: UInt32(sequence))
    while true {
      skipSpaces()
      guard let byte = peek(), byte != 13, byte != 10 else { throw violation("unterminated FETCH") }
      if byte == UInt8(ascii: ")") { return fields }
      let key = atomRange()
      guard !key.isEmpty else { throw violation("FETCH item without a name") }
      try expectSpace()
      if matchesWord(key, "UID") {
        guard let value = number(), value > 0, value <= UInt64(UInt32.max) else {
          throw violation("bad UID")
        }
        fields.uid = UInt32(value)
      } else if matchesWord(key, "RFC822.SIZE") {
        guard let value = number() else { throw violation("bad RFC822.SIZE") }
        fields.size = Int(clamping: value)
      } else if matchesWord(key, "INTERNALDATE") {
        guard peek() == UInt8(ascii: "\"") else { throw violation("bad INTERNALDATE") }
        let start = index + 1
        index = start
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") && bytes[index] != 10 {
          index += 1
        }
        guard peek() == UInt8(ascii: "\"") else { throw violation("bad INTERNALDATE") }
        fields.internalDate = IMAPDate.parseInternalDate(
          UnsafeBufferPointer(rebasing: bytes[start..<index]))
        index += 1
      } else if matchesWord(key, "BODY[]") || matchesWord(key, "BODY[]<0>") {
        let body = try bodyValue()
        fields.body = body ?? []
        fields.bodyNil = body == nil
        fields.headersOnly = false
      } else if matchesWord(key, "BODY[HEADER]") || matchesWord(key, "BODY[HEADER]<0>") {
        let body = try bodyValue()
        fields.body = body ?? []
        fields.bodyNil = body == nil
        fields.headersOnly = true
      } else {
        _ = try value(depth: 1)
      }
    }
  }

  /// A body's bytes; nil for `NIL`.
  private mutating func bodyValue() throws(IMAPError) -> [UInt8]? {
    switch peek() {
    case UInt8(ascii: "{"): return try literal()
    case UInt8(ascii: "~"):
      index += 1
      return try literal()
    case UInt8(ascii: "\""): return try quoted()
    default:
      let atom = atomRange()
      guard matchesWord(atom, "NIL") else { throw violation("bad body value") }
      return nil
    }
  }

  private mutating func number() -> UInt64? {
    var value: UInt64 = 0
    var digits = 0
    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"),
      bytes[index] <= UInt8(ascii: "9")
    {
      guard digits < 19 else { return nil }
      value = value * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
      digits += 1
      index += 1
    }
    return digits > 0 ? value : nil
  }

  /// ASCII case-insensitive comparison of `bytes[range]` with `word` (upper-case).
  private func matchesWord(_ range: Range<Int>, _ word: StaticString) -> Bool {
    guard range.count == word.utf8CodeUnitCount else { return false }
    let expected = word.utf8Start
    for offset in 0..<range.count {
      var byte = bytes[range.lowerBound + offset]
      if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 32 }
      if byte != expected[offset] { return false }
    }
    return true
  }

  private var atLineEnd: Bool {
    index >= bytes.count || bytes[index] == 13 || bytes[index] == 10
  }

  private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

  private func violation(_ what: String) -> IMAPError {
    let end = min(bytes.count, 120)
    var line = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
    while line.last == "\n" || line.last == "\r" { line.removeLast() }
    return .protocolViolation("\(what) in \"\(line)\"")
  }

  mutating func response() throws(IMAPError) -> IMAPResponse {
    guard let first = peek() else { throw violation("empty response") }
    if first == UInt8(ascii: "+") {
      index += 1
      skipSpaces()
      return .continuation(restOfLine())
    }
    if first == UInt8(ascii: "*") {
      index += 1
      try expectSpace()
      let word = readAtom()
      guard !word.isEmpty else { throw violation("missing keyword") }
      if let number = IMAPValue.atom(word).number {
        guard number <= UInt64(UInt32.max) else { throw violation("number out of range") }
        skipSpaces()
        let keyword = readAtom().uppercased()
        guard !keyword.isEmpty else { throw violation("missing keyword after number") }
        return .numbered(UInt32(number), keyword, try values(depth: 0))
      }
      if let status = IMAPStatus(word) { return .status(statusText(status)) }
      return .data(word.uppercased(), try values(depth: 0))
    }
    let tag = readAtom()
    guard !tag.isEmpty else { throw violation("missing tag") }
    try expectSpace()
    guard let status = IMAPStatus(readAtom()), status == .ok || status == .no || status == .bad
    else { throw violation("tagged response without OK, NO or BAD") }
    return .tagged(tag, statusText(status))
  }

  private mutating func expectSpace() throws(IMAPError) {
    guard peek() == UInt8(ascii: " ") else { throw violation("expected a space") }
    skipSpaces()
  }

  private mutating func skipSpaces() {
    while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
  }

  private mutating func restOfLine() -> String {
    let start = index
    while !atLineEnd { index += 1 }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
  }

  private mutating func statusText(_ status: IMAPStatus) -> IMAPStatusText {
    skipSpaces()
    var code: String?
    if peek() == UInt8(ascii: "[") {
      index += 1
      let start = index
      var depth = 0
      while !atLineEnd {
        let byte = bytes[index]
        if byte == UInt8(ascii: "[") { depth += 1 }
        if byte == UInt8(ascii: "]") {
          if depth == 0 { break }
          depth -= 1
        }
        index += 1
      }
      code = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
      if peek() == UInt8(ascii: "]") { index += 1 }
      skipSpaces()
    }
    return IMAPStatusText(status: status, code: code, text: restOfLine())
  }

  /// Values up to the end of the line or the `)` closing the list being read.
  private mutating func values(depth: Int) throws(IMAPError) -> [IMAPValue] {
    guard depth < Self.maxDepth else { throw violation("lists nested too deeply") }
    var result: [IMAPValue] = []
    while true {
      skipSpaces()
      guard let byte = peek(), byte != 13, byte != 10 else {
        guard depth == 0 else { throw violation("unterminated list") }
        return result
      }
      if byte == UInt8(ascii: ")") {
        guard depth > 0 else { throw violation("unbalanced )") }
        index += 1
        return result
      }
      result.append(try value(depth: depth))
    }
  }

  /// One value at the current position (not at a line end or a `)`).
  private mutating func value(depth: Int) throws(IMAPError) -> IMAPValue {
    guard let byte = peek() else { throw violation("missing value") }
    switch byte {
    case UInt8(ascii: "("):
      index += 1
      return .list(try values(depth: depth + 1))
    case UInt8(ascii: "\""):
      return .string(try quoted())
    case UInt8(ascii: "{"):
      return .string(try literal())
    case UInt8(ascii: "~") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "{"):
      index += 1
      return .string(try literal())
    default:
      let range = atomRange()
      guard !range.isEmpty else { throw violation("unexpected byte \(byte)") }
      if matchesWord(range, "NIL") { return .none }
      return .atom(text(range))
    }
  }

  private mutating func quoted() throws(IMAPError) -> [UInt8] {
    index += 1
    var output: [UInt8] = []
    while true {
      guard index < bytes.count, bytes[index] != 13, bytes[index] != 10 else {
        throw violation("unterminated quoted string")
      }
      let byte = bytes[index]
      index += 1
      if byte == UInt8(ascii: "\"") { return output }
      if byte == UInt8(ascii: "\\") {
        guard index < bytes.count else { throw violation("unterminated quoted string") }
        output.append(bytes[index])
        index += 1
      } else {
        output.append(byte)
      }
    }
  }

  /// `{n}` or `{n+}`, CRLF, then n bytes copied in one go.
  private mutating func literal() throws(IMAPError) -> [UInt8] {
    index += 1
    var count = 0
    var digits = 0
    while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
      guard digits < 12 else { throw violation("literal length too long") }
      count = count * 10 + Int(byte - UInt8(ascii: "0"))
      digits += 1
      index += 1
    }
    if peek() == UInt8(ascii: "+") { index += 1 }
    guard digits > 0, peek() == UInt8(ascii: "}") else { throw violation("malformed literal") }
    index += 1
    if peek() == 13 { index += 1 }
    guard peek() == 10 else { throw violation("literal without line break") }
    index += 1
    guard count <= bytes.count - index else { throw violation("literal longer than response") }
    let output = Array(UnsafeBufferPointer(rebasing: bytes[index..<index + count]))
    index += count
    return output
  }

  /// An atom; a `[...]` inside it (`BODY[HEADER.FIELDS (A B)]`) is part of it, spaces included.
  private mutating func readAtom() -> String {
    text(atomRange())
  }

  private mutating func atomRange() -> Range<Int> {
    let start = index
    var brackets = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == 13 || byte == 10 { break }
      if brackets == 0 {
        if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
          || byte == UInt8(ascii: "\"") || (byte == UInt8(ascii: "{") && index == start)
        {
          break
        }
      }
      if byte == UInt8(ascii: "[") { brackets += 1 }
      if byte == UInt8(ascii: "]") && brackets > 0 { brackets -= 1 }
      index += 1
    }
    return start..<index
  }

  private func text(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }
}

/// Finds where complete responses end in received bytes: at a line end that does not announce a
/// literal (`{n}` before CRLF); a literal's bytes are skipped by count, never scanned.
struct IMAPFramer {
  /// Where the scan resumes, relative to the start of the unparsed bytes.
  private var offset = 0
  /// A response (lines and literals) larger than this is refused.
  var maxResponseBytes: Int

  init(maxResponseBytes: Int) {
    self.maxResponseBytes = maxResponseBytes
  }

  /// The length of the first complete response in `bytes`, or nil when more bytes are needed;
  /// `missing` then tells how many are known to be missing (for a pending literal).
  mutating func frame(_ bytes: UnsafeBufferPointer<UInt8>, missing: inout Int) throws(IMAPError)
    -> Int?
  {
    missing = 0
    guard let base = bytes.baseAddress else { return nil }
    while offset < bytes.count {
      guard let found = memchr(base + offset, 10, bytes.count - offset) else {
        offset = bytes.count
        break
      }
      let lineFeed = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
      if let count = Self.literalLength(bytes, lineFeed: lineFeed) {
        offset = lineFeed + 1 + count
        guard offset <= maxResponseBytes else {
          throw .protocolViolation("a response larger than \(maxResponseBytes) bytes")
        }
        continue
      }
      let length = lineFeed + 1
      offset = 0
      return length
    }
    guard offset <= maxResponseBytes else {
      throw .protocolViolation("a response larger than \(maxResponseBytes) bytes")
    }
    missing = offset - bytes.count
    return nil
  }

  /// The n of a line ending in `{n}` or `{n+}` (before the CR LF at `lineFeed`).
  private static func literalLength(_ bytes: UnsafeBufferPointer<UInt8>, lineFeed: Int) -> Int? {
    var end = lineFeed
    if end > 0 && bytes[end - 1] == 13 { end -= 1 }
    guard end > 0, bytes[end - 1] == UInt8(ascii: "}") else { return nil }
    var position = end - 1
    if position > 0 && bytes[position - 1] == UInt8(ascii: "+") { position -= 1 }
    var value = 0
    var multiplier = 1
    var digits = 0
    while position > 0 {
      let byte = bytes[position - 1]
      if byte == UInt8(ascii: "{") {
        return digits > 0 ? value : nil
      }
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 12 else { return nil }
      value += Int(byte - UInt8(ascii: "0")) * multiplier
      multiplier *= 10
      digits += 1
      position -= 1
    }
    return nil
  }
}
