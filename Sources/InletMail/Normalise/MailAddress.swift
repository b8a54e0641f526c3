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
  /// Whether two normalised addresses are at the same domain (false when either has none).
  static func sameDomain(_ first: String, _ second: String) -> Bool {
    guard let domain = DirectoryNormalizer.domain(ofEmail: first) else { return false }
    return domain == DirectoryNormalizer.domain(ofEmail: second)
  }
}
