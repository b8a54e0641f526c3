/// One normalised value a directory record can be found by: one row of `directory_keys`.
public struct DirectoryKey: Sendable, Hashable {
  /// What the value is.
  public enum Kind: String, Sendable, CaseIterable {
    case email
    case phone
    case domain
    case inn
    case messenger
    /// A contact's number written with an extension (`доб. 123`): the office's line, which
    /// finds the contact's client, not the person (everyone there calls from it).
    case officePhone = "office_phone"
    /// The domain of a client's own e-mail (not a public mail service's): the corporate domain
    /// criterion's fallback for a client whose `domains` list does not have it, as a 1C card's
    /// usually does not (it has an e-mail and a website field, not domains).
    case emailDomain = "email_domain"
    /// The mailbox an e-mail delivers to when it is not its own canonical form
    /// (``EmailNormalizer/mailbox(_:)``: a `+tag`, Gmail's dots, Yandex's `-` and domains):
    /// the e-mail criterion's fallback for an address that finds nobody as written.
    case mailbox
  }

  public var kind: Kind
  public var value: String

  public init(_ kind: Kind, _ value: String) {
    self.kind = kind
    self.value = value
  }
}
