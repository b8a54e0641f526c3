import Foundation
import InletCore
import InletMail

/// `mail:` — how letters from every mailbox are classified.
public struct MailSection: Sendable, Decodable, Equatable {
  /// The company's own addresses (`sales@example.ru`) or domains (`@example.ru`): a letter from
  /// one of them is kept as `ignored` (`own_address`), not queued.
  public var ownAddresses: [String] = []
  /// The company's own phone numbers: quoted in a letter, they are not the sender's.
  public var ownPhones: [String] = []
  /// The company's own INNs (its legal entities'): quoted in a letter (a request for an invoice
  /// names the seller too, a reply quotes our requisites), they are not the sender's company.
  public var ownINNs: [String] = []
  /// Senders (addresses or `@domains`, in `From` or `Reply-To`) whose letters are leads even
  /// through a mailing list or as a machine's notification (a form service's relay).
  public var allowSenders: [String] = []
  /// More letters than this from one sender within `rate_limit_window` are `ignored`.
  public var rateLimitCount = 20
  public var rateLimitWindow = "2h"
  /// Attachments over this size are listed without their data.
  public var maxAttachmentBytes = 20 << 20
  /// `phone.default_country`, set by the loader: phones in letters are read with it.
  public var defaultCountry = "RU"

  public init() {}

  enum CodingKeys: String, CodingKey, CaseIterable {
    case ownAddresses = "own_addresses"
    case ownPhones = "own_phones"
    case ownINNs = "own_inns"
    case allowSenders = "allow_senders"
    case rateLimitCount = "rate_limit_count"
    case rateLimitWindow = "rate_limit_window"
    case maxAttachmentBytes = "max_attachment_bytes"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    ownAddresses = try c.decodeIfPresent([String].self, forKey: .ownAddresses) ?? []
    allowSenders = try c.decodeIfPresent([String].self, forKey: .allowSenders) ?? []
    // Checked by the loader, with `phone.default_country`.
    ownPhones = try c.decodeIfPresent([String].self, forKey: .ownPhones) ?? []
    // Checked by the loader (the entry's index in the key path).
    ownINNs = try c.decodeIfPresent([String].self, forKey: .ownINNs) ?? []
    rateLimitCount = try c.decodeIfPresent(Int.self, forKey: .rateLimitCount) ?? rateLimitCount
    // 0 would hold every sender over the limit: every letter ignored as `rate_limited`.
    guard rateLimitCount >= 1 else {
      throw DecodingError.dataCorruptedError(
        forKey: .rateLimitCount, in: c,
        debugDescription: "at least 1 (letters a sender may send in rate_limit_window)")
    }
    rateLimitWindow =
      try c.decodeIfPresent(String.self, forKey: .rateLimitWindow) ?? rateLimitWindow
    guard DurationText.parse(rateLimitWindow) != nil else {
      throw DecodingError.dataCorruptedError(
        forKey: .rateLimitWindow, in: c, debugDescription: "a duration such as 2h or 30m")
    }
    maxAttachmentBytes =
      try c.decodeIfPresent(Int.self, forKey: .maxAttachmentBytes) ?? maxAttachmentBytes
  }
}

extension MailSection {
  /// The normaliser's options from `mail:`.
  var normaliserOptions: MailOptions {
    MailOptions(
      ownAddresses: ownAddresses.map(Self.ownAddress),
      allowSenders: allowSenders.map { $0.lowercased() },
      maxAttachmentBytes: maxAttachmentBytes, defaultCountry: defaultCountry,
      ownPhones: Set(
        ownPhones.compactMap { PhoneNormalizer(defaultCountry: defaultCountry).normalize($0) }),
      ownINNs: Set(ownINNs.compactMap(Self.ownINN)))
  }

  /// An `own_inns` entry as letters' INNs are read (`ИНН 7707083893`, `7707083893/770701001`).
  static func ownINN(_ entry: String) -> String? {
    INN.read(entry).flatMap { INN.isValid($0) ? $0 : nil }
  }

  /// An `own_addresses` entry (or a mailbox login) as addresses in letters read: lower-cased,
  /// a punycode domain in Unicode (`@xn--e1afmkfd.xn--p1ai` is `@пример.рф`).
  static func ownAddress(_ entry: String) -> String {
    let trimmed = entry.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("@") {
      return EmailNormalizer.normalize("x" + trimmed).map { String($0.dropFirst()) }
        ?? trimmed.lowercased()
    }
    return EmailNormalizer.normalize(trimmed) ?? trimmed.lowercased()
  }
}
