import InletCore

/// A person's mailbox from a letter's header.
public struct MailAddress: Sendable, Equatable {
  /// The display name, decoded, if the header had one.
  public var name: String?
  /// The address, lower-cased, with a Unicode (not punycode) domain.
  public var email: String

  /// Creates an address; `email` is expected to be normalised already.
  public init(name: String?, email: String) {
    self.name = name
    self.email = email
  }
}

extension MailAddress {
  /// Whether two normalised addresses are one company's: the same address, or two at the
  /// same domain that is no public mail service (two yandex.ru addresses are two people's: a
  /// site's form sent from its owner's yandex.ru box for a visitor's). False when either has
  /// no domain.
  static func sameCompany(_ first: String, _ second: String) -> Bool {
    if first == second { return true }
    guard let domain = DirectoryNormalizer.domain(ofEmail: first),
      domain == DirectoryNormalizer.domain(ofEmail: second)
    else { return false }
    return !MatchingRules.isShippedFreeMail(domain)
  }
}
