/// Finds the body parts of a multipart body between its boundary delimiter lines.
enum MultipartSplitter {
  /// The byte ranges of the parts, or `nil` when no delimiter line was found even after
  /// guessing the boundary from the body (a mailer that declared one boundary and used
  /// another).
  static func split(_ bytes: [UInt8], range: Range<Int>, boundary: String?) -> [Range<Int>]? {
    if let boundary, !boundary.isEmpty,
      let parts = split(bytes, range: range, boundary: Array(boundary.utf8))
    {
      return parts
    }
    guard let guessed = guessBoundary(bytes, range: range) else { return nil }
    return split(bytes, range: range, boundary: guessed)
  }

  private static func split(_ bytes: [UInt8], range: Range<Int>, boundary: [UInt8]) -> [Range<
    Int
  >]? {
    var parts: [Range<Int>] = []
    var partStart: Int?
    var lineStart = range.lowerBound
    let end = range.upperBound
    var found = false
    while lineStart < end {
      let (contentEnd, next) = HeaderBlockParser.lineEnd(bytes, from: lineStart, end: end)
      if isDelimiter(bytes, lineStart, contentEnd, boundary) {
        found = true
        if let start = partStart {
          parts.append(start..<max(start, precedingBreak(bytes, lineStart, start)))
        }
        let closeIndex = lineStart + 2 + boundary.count
        if closeIndex + 2 <= contentEnd,
          bytes[closeIndex] == UInt8(ascii: "-"), bytes[closeIndex + 1] == UInt8(ascii: "-")
        {
          partStart = nil
          return parts
        }
        partStart = next
      }
      lineStart = next
    }
    if let start = partStart, start < end { parts.append(start..<end) }
    return found ? parts : nil
  }

  private static func isDelimiter(
    _ bytes: [UInt8], _ start: Int, _ end: Int, _ boundary: [UInt8]
  ) -> Bool {
    let length = 2 + boundary.count
    guard end - start >= length, bytes[start] == UInt8(ascii: "-"),
      bytes[start + 1] == UInt8(ascii: "-")
    else { return false }
    var offset = 0
    while offset < boundary.count {
      if bytes[start + 2 + offset] != boundary[offset] { return false }
      offset += 1
    }
    return true
  }

  /// Candidate boundaries looked for again before the part is taken as not split.
  static let candidatesTried = 8

  /// The line break before a delimiter belongs to the delimiter (RFC 2046 section 5.1.1).
  private static func precedingBreak(_ bytes: [UInt8], _ lineStart: Int, _ floor: Int) -> Int {
    var index = lineStart
    if index > floor && bytes[index - 1] == 0x0A { index -= 1 }
    if index > floor && bytes[index - 1] == 0x0D { index -= 1 }
    return index
  }

  /// The first `--token` line that recurs later is taken as the real boundary. At most
  /// ``candidatesTried`` lines are looked for again (each look reads the rest of the part).
  private static func guessBoundary(_ bytes: [UInt8], range: Range<Int>) -> [UInt8]? {
    var lineStart = range.lowerBound
    var checked = 0
    var tried = 0
    while lineStart < range.upperBound && checked < 2000 {
      let (contentEnd, next) = HeaderBlockParser.lineEnd(
        bytes, from: lineStart, end: range.upperBound)
      checked += 1
      if contentEnd - lineStart >= 8, bytes[lineStart] == UInt8(ascii: "-"),
        bytes[lineStart + 1] == UInt8(ascii: "-")
      {
        var candidate = Array(bytes[(lineStart + 2)..<contentEnd])
        if candidate.count > 2, candidate.suffix(2).elementsEqual("--".utf8) {
          candidate.removeLast(2)
        }
        let plausible =
          candidate.count >= 6 && candidate.count <= 200
          && !candidate.contains(where: { $0 <= 0x20 || $0 >= 0x7F })
          && candidate.contains(where: { $0 != UInt8(ascii: "-") })
        if plausible {
          if occurrences(bytes, range: next..<range.upperBound, of: candidate) { return candidate }
          tried += 1
          if tried == candidatesTried { return nil }
        }
      }
      lineStart = next
    }
    return nil
  }

  private static func occurrences(_ bytes: [UInt8], range: Range<Int>, of boundary: [UInt8])
    -> Bool
  {
    var lineStart = range.lowerBound
    while lineStart < range.upperBound {
      let (contentEnd, next) = HeaderBlockParser.lineEnd(
        bytes, from: lineStart, end: range.upperBound)
      if isDelimiter(bytes, lineStart, contentEnd, boundary) { return true }
      lineStart = next
    }
    return false
  }
}
