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
