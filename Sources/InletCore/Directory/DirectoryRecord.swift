/// One record of any kind, as an import yields them.
public enum DirectoryRecord: Sendable, Equatable {
  case client(DirectoryClient)
  case contact(DirectoryContact)
  case interest(DirectoryInterest)

  /// The CRM's id.
  public var id: String {
    switch self {
    case .client(let client): return client.id
    case .contact(let contact): return contact.id
    case .interest(let interest): return interest.id
    }
  }

  /// The kind of the record.
  public var kind: DirectoryKind {
    switch self {
    case .client: return .clients
    case .contact: return .contacts
    case .interest: return .interests
    }
  }
}
