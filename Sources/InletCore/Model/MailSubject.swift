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
    let (base, first) = strip(subject)
    guard let first, replyWords.contains(first), !base.isEmpty else { return nil }
    return base
  }

  /// Any subject, its reply and forward prefixes taken off, normalised: lower-case, runs of
  /// whitespace one space.
  public static func base(_ subject: String?) -> String {
    strip(subject ?? "").base
  }

  /// The subject without its prefixes, and the first prefix's word.
  static func strip(_ subject: String) -> (base: String, first: String?) {
    var rest = Substring(subject.lowercased())
    var first: String?
    while true {
      rest = rest.drop { $0.isWhitespace }
      guard let colon = rest.prefix(16).firstIndex(where: { $0 == ":" || $0 == "：" }) else { break }
      var word = rest[..<colon].trimmingSuffix { $0.isWhitespace }
      // `RE[2]`, `Re(3)`, `RE^2`: a count after the word.
      if let open = word.firstIndex(where: { "[(^".contains($0) }) { word = word[..<open] }
      let text = String(word)
      guard replyWords.contains(text) || forwardWords.contains(text) else { break }
      if first == nil { first = text }
      rest = rest[rest.index(after: colon)...]
    }
    let base = rest.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    return (base, first)
  }
}

extension Substring {
  fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
    var end = endIndex
    while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
    return self[startIndex..<end]
  }
}
