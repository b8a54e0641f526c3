import Foundation

/// A directory held in memory: the reference implementation of ``DirectoryLookup`` that the
/// matching tests run against, and that the SQLite lookup is checked against.
public struct InMemoryDirectory: DirectoryLookup, Sendable {
  private var clients: [String: DirectoryClient] = [:]
  private var contacts: [String: DirectoryContact] = [:]
  private var interests: [String: DirectoryInterest] = [:]
  private var keys: [DirectoryKey: [DirectoryHit]] = [:]
  private let normalizer: DirectoryNormalizer

  public init(
    clients: [DirectoryClient] = [], contacts: [DirectoryContact] = [],
    interests: [DirectoryInterest] = [], normalizer: DirectoryNormalizer = DirectoryNormalizer()
  ) {
    self.normalizer = normalizer
    for client in clients { upsert(client) }
    for contact in contacts { upsert(contact) }
    for interest in interests { upsert(interest) }
  }

  /// Adds or replaces a client.
  public mutating func upsert(_ client: DirectoryClient) {
    let (client, clientKeys) = normalizer.normalize(client)
    removeKeys(recordType: .client, id: client.id)
    clients[client.id] = client
    for key in clientKeys {
      keys[key, default: []].append(
        DirectoryHit(recordType: .client, id: client.id, clientID: client.id))
    }
  }

  /// Adds or replaces a contact.
  public mutating func upsert(_ contact: DirectoryContact) {
    let (contact, contactKeys) = normalizer.normalize(contact)
    removeKeys(recordType: .contact, id: contact.id)
    contacts[contact.id] = contact
    for key in contactKeys {
      keys[key, default: []].append(
        DirectoryHit(recordType: .contact, id: contact.id, clientID: contact.clientID))
    }
  }

  /// Adds or replaces an interest.
  public mutating func upsert(_ interest: DirectoryInterest) {
    interests[interest.id] = normalizer.normalize(interest)
  }

  private mutating func removeKeys(recordType: DirectoryHit.RecordType, id: String) {
    for (key, hits) in keys {
      keys[key] = hits.filter { !($0.recordType == recordType && $0.id == id) }
    }
  }

  public func records(with key: DirectoryKey, limit: Int) throws -> [DirectoryHit] {
    // A contact names its client only while that client is in the directory.
    func stored(_ key: DirectoryKey) -> [DirectoryHit] {
      (keys[key] ?? []).map { hit in
        guard hit.recordType == .contact, let client = hit.clientID, clients[client] == nil
        else { return hit }
        return DirectoryHit(recordType: .contact, id: hit.id, clientID: nil)
      }
    }
    var hits = stored(key)
    if key.kind == .email, hits.isEmpty {
      // Found by the mailbox the address delivers to (a `+tag`, Gmail's dots, Yandex's aliases).
      let mailbox = EmailNormalizer.mailbox(key.value) ?? key.value
      if mailbox != key.value { hits = stored(DirectoryKey(.email, mailbox)) }
      // Not for a company's tagged address: `sales+ivan@` and `sales+olga@` are two people.
      if !EmailNormalizer.tagMayNameAnother(key.value) {
        for hit in stored(DirectoryKey(.mailbox, mailbox)) where !hits.contains(hit) {
          hits.append(hit)
        }
      }
    }
    if key.kind == .phone {
      // An office line (a contact's number with an extension) finds the contact's client.
      var seen: Set<String> = []
      for hit in keys[DirectoryKey(.officePhone, key.value)] ?? [] {
        guard let client = hit.clientID, clients[client] != nil, seen.insert(client).inserted
        else { continue }
        hits.append(DirectoryHit(recordType: .client, id: client, clientID: client))
      }
    }
    if key.kind == .domain, hits.isEmpty {
      // A domain no client lists: the one client whose own e-mail is at it (several: a mail
      // service, no company's).
      let clientsThere = Set(
        (keys[DirectoryKey(.emailDomain, key.value)] ?? []).compactMap(\.clientID)
          .filter { clients[$0] != nil })
      if clientsThere.count == 1, let client = clientsThere.first {
        hits.append(DirectoryHit(recordType: .client, id: client, clientID: client))
      }
    }
    return Array(hits.prefix(limit))
  }

  public func openInterestIDs(ofClient id: String, contact: String?) throws -> [String] {
    let open = interests.values.filter { $0.clientID == id && $0.status == .open }
      .sorted {
        ($0.updatedAt ?? .distantPast, $1.id) > ($1.updatedAt ?? .distantPast, $0.id)
      }
    let theirs = open.filter { contact != nil && $0.contactID == contact }
    return (theirs + open.filter { contact == nil || $0.contactID != contact }).map(\.id)
  }

  public func clientFlags(_ id: String) throws -> DirectoryClientFlags? {
    clients[id].map { DirectoryClientFlags(potential: $0.potential, person: $0.person) }
  }
}
