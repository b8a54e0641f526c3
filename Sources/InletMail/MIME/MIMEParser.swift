/// Parses a whole message into a tree of ``MIMEPart``s (RFC 2045-2049). Never traps: depth and
/// part counts are bounded, and a broken multipart degrades into a text part.
public enum MIMEParser {
  /// Multiparts nested deeper than this are kept as opaque parts.
  static let maximumDepth = 24
  /// Parts beyond this count are not split further.
  static let maximumParts = 2000

  /// A parsed message.
  public struct Message: Sendable {
    /// The top-level part (its headers are the message's headers).
    public var root: MIMEPart
    /// Whether the input had no body at all (headers only, e.g. fetched without its body).
    public var headerOnly: Bool
  }

  /// Parses raw message bytes; `nil` when the input does not start with a header block.
  public static func parse(_ bytes: [UInt8]) -> Message? {
    // Tolerate what file exports put before the first field: a UTF-8 BOM, blank lines.
    var start = 0
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
    while start < bytes.count && (bytes[start] == 0x0D || bytes[start] == 0x0A) { start += 1 }
    let header = HeaderBlockParser.parse(bytes, range: start..<bytes.count)
    guard header.startsWithField, !header.headers.fields.isEmpty else { return nil }
    var budget = maximumParts
    let root = makePart(
      bytes, header: header, range: start..<bytes.count, depth: 0, defaultType: "text/plain",
      budget: &budget)
    let headerOnly = header.bodyStart >= bytes.count
    return Message(root: root, headerOnly: headerOnly)
  }

  private static func makePart(
    _ bytes: [UInt8], header: HeaderBlockParser.Result, range: Range<Int>, depth: Int,
    defaultType: String, budget: inout Int
  ) -> MIMEPart {
    let headers = header.headers
    var contentType =
      headers.raw("content-type").map(HeaderParameters.parse)
      ?? HeaderParameters(value: defaultType)
    if !contentType.value.utf8.contains(UInt8(ascii: "/")) {
      contentType = HeaderParameters(value: defaultType, parameters: contentType.parameters)
    }
    let disposition = headers.raw("content-disposition").map(HeaderParameters.parse)
    let encoding =
      headers.raw("content-transfer-encoding").map {
        HeaderText.decode($0).asciiLowercased()
      } ?? "7bit"
    let bodyRange = min(header.bodyStart, range.upperBound)..<range.upperBound
    var part = MIMEPart(
      headers: headers, contentType: contentType, disposition: disposition,
      transferEncoding: encoding, body: bytes[bodyRange], children: [],
      isEncapsulatedMessage: false)
    budget -= 1
    guard depth < maximumDepth, budget > 0 else { return part }
    if part.isMultipart {
      let childDefault = part.mediaType == "multipart/digest" ? "message/rfc822" : "text/plain"
      let ranges = MultipartSplitter.split(
        bytes, range: bodyRange, boundary: contentType["boundary"])
      guard let ranges, !ranges.isEmpty else {
        // No usable boundary: the body is read as text rather than lost.
        part.contentType = HeaderParameters(
          value: "text/plain", parameters: contentType.parameters)
        return part
      }
      for childRange in ranges where budget > 0 {
        let childHeader = HeaderBlockParser.parse(bytes, range: childRange)
        let child: MIMEPart
        if childHeader.headers.fields.isEmpty {
          // A part without headers: its whole content is the body (RFC 2046 defaults).
          let bare = HeaderBlockParser.Result(
            headers: MIMEHeaders(), bodyStart: leadingBlankLineEnd(bytes, childRange),
            sawSeparator: true, startsWithField: false)
          child = makePart(
            bytes, header: bare, range: childRange, depth: depth + 1, defaultType: childDefault,
            budget: &budget)
        } else {
          child = makePart(
            bytes, header: childHeader, range: childRange, depth: depth + 1,
            defaultType: childDefault, budget: &budget)
        }
        part.children.append(child)
      }
      part.body = []
    } else if part.mediaType == "message/rfc822" || part.mediaType == "message/global" {
      // An encoded message is decoded into a buffer of its own; a plain one is read where it
      // stands (a copy at each level of 24 nested messages was 24 copies of the letter).
      let encoded = encoding == "base64" || encoding == "quoted-printable"
      let inner = encoded ? part.decodedBody : bytes
      var innerRange = encoded ? 0..<inner.count : bodyRange
      // Blank lines before the forwarded letter's header (some clients write one) are not
      // its empty header: they are skipped, a few at most.
      for _ in 0..<4 {
        let start = leadingBlankLineEnd(inner, innerRange)
        if start == innerRange.lowerBound { break }
        innerRange = start..<innerRange.upperBound
      }
      let innerHeader = HeaderBlockParser.parse(inner, range: innerRange)
      if innerHeader.startsWithField {
        let message = makePart(
          inner, header: innerHeader, range: innerRange, depth: depth + 1,
          defaultType: "text/plain", budget: &budget)
        part.children = [message]
        part.isEncapsulatedMessage = true
      }
    }
    return part
  }

  private static func leadingBlankLineEnd(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
    let (content, next) = HeaderBlockParser.lineEnd(
      bytes, from: range.lowerBound, end: range.upperBound)
    return content == range.lowerBound ? next : range.lowerBound
  }
}
