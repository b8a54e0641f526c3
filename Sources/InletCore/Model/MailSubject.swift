/// Subjects of letters compared as a thread's: a reply's (`Re: Заявка`, `RE[2]: Заявка`,
/// `Ответ: Re: Заявка`) is the first letter's with its prefixes taken off.
public enum MailSubject {
  /// Reply prefixes (lower-case, without the colon): English, Russian Outlook's and mail
  /// services', German Outlook's.
  static let replyWords: Set<String> = ["re", "ответ", "отв", "aw"]
  /// Forward prefixes, taken off the base subject too (a reply to a forward).
  static let forwardWords: Set<String> = ["fw", "fwd", "пересл", "пересылка", "wg", "tr"]

  /// The subject of the letter a reply answers, normalised (`заявка на поставку`): nil when
  /// `subject` does not start as a reply's.
  public static func replyBase(_ subject: String?) -> String? {
    guard let subject else { return nil }
    let (rest, first) = prefixes(subject)
    guard let first, replyWords.contains(first) else { return nil }
    let base = normalised(rest)
    return base.isEmpty ? nil : base
  }

  /// Any subject, its reply and forward prefixes taken off, normalised: lower-case, runs of
  /// whitespace one space.
  public static func base(_ subject: String?) -> String {
    normalised(prefixes(subject ?? "").rest)
  }

  /// The subject without its prefixes, and the first prefix's word.
  static func strip(_ subject: String) -> (base: String, first: String?) {
    let (rest, first) = prefixes(subject)
    return (normalised(rest), first)
  }

  /// The subject after its prefixes, as it is, and the first prefix's word (lower-case). Only
  /// the words before colons are lower-cased: most subjects are no reply's, and this is asked
  /// of every letter.
  private static func prefixes(_ subject: String) -> (rest: Substring, first: String?) {
    var rest = Substring(subject)
    guard mayOpenWithPrefix(rest) else { return (rest, nil) }
    var first: String?
    while true {
      rest = rest.drop { $0.isWhitespace }
      guard let colon = rest.prefix(16).firstIndex(where: { $0 == ":" || $0 == "：" }) else { break }
      var word = rest[..<colon].trimmingSuffix { $0.isWhitespace }
      // `RE[2]`, `Re(3)`, `RE^2`: a count after the word.
      if let open = word.firstIndex(where: { "[(^".contains($0) }) { word = word[..<open] }
      let text = word.lowercased()
      guard replyWords.contains(text) || forwardWords.contains(text) else { break }
      if first == nil { first = text }
      rest = rest[rest.index(after: colon)...]
    }
    return (rest, first)
  }

  /// False when the text's first letter (after ASCII whitespace) can begin no prefix word
  /// (`r`, `a`, `o`, `f`, `w`, `t`, `п` in either case); true when it may, or when the byte
  /// test cannot tell (other leading whitespace). Most subjects are ruled out by one byte.
  private static func mayOpenWithPrefix(_ text: Substring) -> Bool {
    var bytes = text.utf8.drop { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }.makeIterator()
    guard let first = bytes.next() else { return false }
    switch first | 0x20 {
    case UInt8(ascii: "r"), UInt8(ascii: "a"), UInt8(ascii: "f"), UInt8(ascii: "w"),
      UInt8(ascii: "t"):
      return true
    default: break
    }
    if first < 0x80 { return false }
    // `О` D0 9E, `о` D0 BE, `П` D0 9F, `п` D0 BF; other Cyrillic letters rule it out.
    if first == 0xD0, let second = bytes.next() {
      return second == 0x9E || second == 0xBE || second == 0x9F || second == 0xBF
    }
    return true
  }

  /// Lower-case, runs of whitespace one space, none at the ends.
  private static func normalised(_ text: Substring) -> String {
    text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }
}

extension Substring {
  fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
    var end = endIndex
    while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
    return self[startIndex..<end]
  }
}
