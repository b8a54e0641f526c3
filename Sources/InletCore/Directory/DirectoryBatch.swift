/// The body of `POST /api/v1/directory/batch`: upserts of each kind and ids to delete.
public struct DirectoryBatch: Decodable, Sendable, Equatable {
  public var clients: [DirectoryClient]
  public var contacts: [DirectoryContact]
  public var interests: [DirectoryInterest]
  public var deleted: Deleted

  /// Ids to delete, by kind.
  public struct Deleted: Decodable, Sendable, Equatable {
    public var clients: [String]
    public var contacts: [String]
    public var interests: [String]

    public init(clients: [String] = [], contacts: [String] = [], interests: [String] = []) {
      self.clients = clients
      self.contacts = contacts
      self.interests = interests
    }

    private enum Keys: String, CodingKey, CaseIterable { case clients, contacts, interests }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(Keys.self)
      let c = try decoder.container(keyedBy: Keys.self)
      clients = try c.decodeIfPresent([DirectoryID].self, forKey: .clients)?.map(\.value) ?? []
      contacts = try c.decodeIfPresent([DirectoryID].self, forKey: .contacts)?.map(\.value) ?? []
      interests = try c.decodeIfPresent([DirectoryID].self, forKey: .interests)?.map(\.value) ?? []
    }
  }

  public init(
    clients: [DirectoryClient] = [], contacts: [DirectoryContact] = [],
    interests: [DirectoryInterest] = [], deleted: Deleted = Deleted()
  ) {
    self.clients = clients
    self.contacts = contacts
    self.interests = interests
    self.deleted = deleted
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case clients, contacts, interests, deleted }

  /// Unknown top-level keys are errors: a misspelt `"contacs"` would otherwise sync nothing.
  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    clients = try c.decodeIfPresent([DirectoryClient].self, forKey: .clients) ?? []
    contacts = try c.decodeIfPresent([DirectoryContact].self, forKey: .contacts) ?? []
    interests = try c.decodeIfPresent([DirectoryInterest].self, forKey: .interests) ?? []
    deleted = try c.decodeIfPresent(Deleted.self, forKey: .deleted) ?? Deleted()
  }

  /// Records and deletions in the batch.
  public var count: Int {
    clients.count + contacts.count + interests.count + deleted.clients.count
      + deleted.contacts.count + deleted.interests.count
  }
}
