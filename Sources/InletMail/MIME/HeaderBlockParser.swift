/// Splits a header block off a message or body part (RFC 5322 section 2.2, with the obsolete
/// syntax of section 4: whitespace before the colon, folding anywhere).
enum HeaderBlockParser {
  /// What was found at the start of `bytes[range]`.
  struct Result {
    var headers: MIMEHeaders
    /// Where the body starts; `range.upperBound` when there is none.
    var bodyStart: Int
    /// Whether an empty line ended the header block (false for header-only input).
    var sawSeparator: Bool
    /// Whether the first line was a header field at all.
    var startsWithField: Bool
  }

  /// Upper bound on fields kept, so that a hostile letter cannot make lookups quadratic.
  static let maximumFields = 2000

  static func parse(_ bytes: [UInt8], range: Range<Int>) -> Result {
    var fields: [MIMEHeaderField] = []
    var index = range.lowerBound
    let end = range.upperBound
    var sawSeparator = false
    var startsWithField = false
    var currentName: String?
    var currentValue: [UInt8] = []
    // An mbox "From " envelope line may precede the first field — but `From : …` (obsolete
    // syntax, blanks before the colon) is the sender's field.
    if end - index >= 5, bytes[index] == UInt8(ascii: "F"),
      bytes[index..<index + 5].elementsEqual("From ".utf8)
    {
      var after = index + 5
      while after < end, bytes[after] == 0x20 || bytes[after] == 0x09 { after += 1 }
      if after == end || bytes[after] != UInt8(ascii: ":") {
        index = lineEnd(bytes, from: index, end: end).next
      }
    }
    func flush() {
      if let name = currentName, fields.count < maximumFields {
        fields.append(MIMEHeaderField(name: name, value: trimTrailing(currentValue)))
      }
      currentName = nil
      currentValue = []
    }
    var bodyStart = end
    while index < end {
      let (contentEnd, next) = lineEnd(bytes, from: index, end: end)
      if contentEnd == index {
        sawSeparator = true
        bodyStart = next
        break
      }
      let first = bytes[index]
      if first == 0x20 || first == 0x09 {
        if currentName != nil {
          currentValue.append(contentsOf: bytes[index..<contentEnd])
        } else if fields.isEmpty && !startsWithField {
          // Leading whitespace before any field: not a header block.
          bodyStart = index
          break
        }
        index = next
        continue
      }
      guard let colon = fieldColon(bytes, from: index, to: contentEnd) else {
        // A line that is neither a field nor a continuation ends the block early.
        bodyStart = index
        break
      }
      flush()
      if fields.isEmpty { startsWithField = true }
      var nameEnd = colon
      while nameEnd > index && (bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09) {
        nameEnd -= 1
      }
      currentName = String(decoding: bytes[index..<nameEnd], as: UTF8.self).asciiLowercased()
      var valueStart = colon + 1
      while valueStart < contentEnd && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) {
        valueStart += 1
      }
      currentValue = Array(bytes[valueStart..<contentEnd])
      index = next
    }
    if index >= end { bodyStart = end }
    flush()
    return Result(
      headers: MIMEHeaders(fields: fields), bodyStart: bodyStart, sawSeparator: sawSeparator,
      startsWithField: startsWithField)
  }

  /// The end of the line's content (before CR LF or LF) and the start of the next line.
  static func lineEnd(_ bytes: [UInt8], from start: Int, end: Int) -> (content: Int, next: Int) {
    var index = start
    while index < end {
      let byte = bytes[index]
      if byte == 0x0A {
        let content = index > start && bytes[index - 1] == 0x0D ? index - 1 : index
        return (content, index + 1)
      }
      index += 1
    }
    let content = end > start && bytes[end - 1] == 0x0D ? end - 1 : end
    return (content, end)
  }

  /// The colon ending a field name: the name is printable ASCII without spaces, optionally
  /// followed by whitespace (obsolete syntax).
  private static func fieldColon(_ bytes: [UInt8], from start: Int, to end: Int) -> Int? {
    var index = start
    while index < end {
      let byte = bytes[index]
      if byte == UInt8(ascii: ":") { return index > start ? index : nil }
      if byte == 0x20 || byte == 0x09 {
        var after = index
        while after < end && (bytes[after] == 0x20 || bytes[after] == 0x09) { after += 1 }
        return after < end && bytes[after] == UInt8(ascii: ":") && index > start ? after : nil
      }
      if byte < 33 || byte > 126 { return nil }
      index += 1
    }
    return nil
  }

  private static func trimTrailing(_ value: [UInt8]) -> [UInt8] {
    var end = value.count
    while end > 0 && (value[end - 1] == 0x20 || value[end - 1] == 0x09 || value[end - 1] == 0x0D) {
      end -= 1
    }
    return end == value.count ? value : Array(value[..<end])
  }
}
