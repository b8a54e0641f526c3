/// The directory as matching sees it: the store implements it over SQLite
/// (`SQLiteDirectoryLookup`), ``InMemoryDirectory`` over arrays for tests.
public protocol DirectoryLookup {
  /// Clients and contacts that have `key`, at most `limit` of them. For a phone, a contact that
  /// lists it as an office line (with an extension, ``DirectoryKey/Kind/officePhone``) is a hit
  /// on the contact's client, once per client: everyone there calls from that number.
  func records(with key: DirectoryKey, limit: Int) throws -> [DirectoryHit]
  /// Ids of the client's open interests: those of `contact` (the person who wrote or called)
  /// first, then the others; most recently updated first within each.
  func openInterestIDs(ofClient id: String, contact: String?) throws -> [String]
  /// The client's flags matching reads (`nil`: unknown client).
  func clientFlags(_ id: String) throws -> DirectoryClientFlags?
}

/// What matching reads of a client besides its keys.
public struct DirectoryClientFlags: Sendable, Equatable {
  /// A potential client (``DirectoryClient/potential``).
  public var potential: Bool
  /// A person, not an organisation (``DirectoryClient/person``).
  public var person: Bool

  public init(potential: Bool, person: Bool) {
    self.potential = potential
    self.person = person
  }
}

/// A client or contact found by a key.
public struct DirectoryHit: Sendable, Hashable {
  /// Whether the hit is a client or a contact record.
  public enum RecordType: String, Sendable {
    case client
    case contact
  }

  public var recordType: RecordType
  public var id: String
  /// The client itself for a client hit; the contact's client (if any) for a contact hit.
  public var clientID: String?

  public init(recordType: RecordType, id: String, clientID: String?) {
    self.recordType = recordType
    self.id = id
    self.clientID = clientID
  }
}
