import InletCore

/// What the mail normaliser needs to know about the mailbox owner and its limits.
public struct MailOptions: Sendable {
  /// The company's own addresses, lower-cased: `sales@example.ru`, or `@example.ru` for a whole
  /// domain. A letter whose sender is one of them is a loop, not a lead.
  public var ownAddresses: [String]
  /// Senders (`From` or `Reply-To`: addresses, or `@domain`) whose mail is a lead even when it
  /// comes through a mailing list or as a machine's notification (never when an auto-reply).
  public var allowSenders: [String]
  /// Largest attachment kept, per file; larger ones are listed with their data dropped.
  public var maxAttachmentBytes: Int
  /// Most attachments listed per letter; the rest are counted in
  /// ``MailLetter/attachmentsOmitted``.
  public var maxAttachments: Int
  /// Country used to read phone numbers written without an international prefix.
  public var defaultCountry: String {
    didSet { phoneNormalizer = PhoneNormalizer(defaultCountry: defaultCountry) }
  }
  /// The phone normaliser for ``defaultCountry``, made once rather than for every letter.
  public private(set) var phoneNormalizer: PhoneNormalizer
  /// The company's own numbers (E.164): a letter that quotes one («не дозвонился по 8 495 …»)
  /// does not give it as the sender's.
  public var ownPhones: Set<String>
  /// The company's own INNs: a letter that names one (an invoice request naming the seller, a
  /// reply quoting our requisites) does not give it as the sender's company.
  public var ownINNs: Set<String>

  /// Creates options; the defaults fit a Russian sales mailbox.
  public init(
    ownAddresses: [String] = [], allowSenders: [String] = [],
    maxAttachmentBytes: Int = 20 << 20, maxAttachments: Int = 50, defaultCountry: String = "RU",
    ownPhones: Set<String> = [], ownINNs: Set<String> = []
  ) {
    self.ownPhones = ownPhones
    self.ownINNs = ownINNs
    self.ownAddresses = ownAddresses.map { $0.lowercased() }
    self.allowSenders = allowSenders.map { $0.lowercased() }
    self.maxAttachmentBytes = maxAttachmentBytes
    self.maxAttachments = maxAttachments
    self.defaultCountry = defaultCountry
    phoneNormalizer = PhoneNormalizer(defaultCountry: defaultCountry)
  }
}

extension MailOptions {
  /// Whether `mail.allow_senders` lists the letter's sender (`From` or `Reply-To`).
  public func allows(_ letter: MailLetter) -> Bool {
    NoiseClassifier.isAllowed(letter, allowSenders)
  }
}
