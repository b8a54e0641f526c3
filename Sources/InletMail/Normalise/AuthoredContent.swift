/// What the author of a letter wrote, without what each delivery adds to it: the identity of a
/// letter that has no Message-ID.
///
/// The same letter sent to sales@ and info@ reaches each mailbox with trace fields of its own
/// (`Received`, `Delivered-To`, `Return-Path`, the provider's spam verdicts), so the bytes of the
/// two copies differ. The fields the sender's program writes, and the body, do not.
public enum AuthoredContent {
  /// The fields a sender's program writes, in the order they are taken.
  static let fields = [
    "from", "sender", "reply-to", "to", "cc", "subject", "date", "mime-version", "content-type",
    "content-transfer-encoding",
  ]

  /// The letter's authored fields (each unfolded, whitespace runs collapsed) and its body (line
  /// ends as LF, trailing blank lines dropped); nil for a letter without a `Date` that names
  /// an instant, whose authored content could repeat word for word in a later letter (a form
  /// sent twice).
  public static func of(_ bytes: [UInt8]) -> [UInt8]? {
    let block = HeaderBlockParser.parse(bytes, range: 0..<bytes.count)
    guard block.startsWithField, let date = block.headers.raw("date"),
      MailDate.parse(String(decoding: date, as: UTF8.self)) != nil
    else { return nil }
    var content: [UInt8] = []
    content.reserveCapacity(bytes.count)
    for name in fields {
      for value in block.headers.all(name) {
        content.append(contentsOf: name.utf8)
        content.append(UInt8(ascii: ":"))
        // Whitespace runs as one space, none at the ends: a relay may fold a field elsewhere.
        var pendingSpace = false
        var started = false
        for byte in value {
          if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
            pendingSpace = started
            continue
          }
          started = true
          if pendingSpace {
            content.append(0x20)
            pendingSpace = false
          }
          content.append(byte)
        }
        content.append(0x0A)
      }
    }
    content.append(0x0A)
    var end = bytes.count
    while end > block.bodyStart, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[end - 1]) { end -= 1 }
    for byte in bytes[min(block.bodyStart, end)..<end] where byte != 0x0D {
      content.append(byte)
    }
    return content
  }
}
