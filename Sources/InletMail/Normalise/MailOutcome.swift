/// What became of one raw letter.
public enum MailOutcome: Sendable {
  /// A lead (or a continuation: threading is decided later by the store).
  case letter(MailLetter)
  /// Noise, with the reason: `auto_reply`, `bounce`, `read_receipt`, `mailing_list`,
  /// `own_address`; the letter as far as it was read.
  case ignored(reason: String, letter: MailLetter?)
  /// Input that is not a letter at all; to be quarantined with this error.
  case unparseable(error: String)
}
