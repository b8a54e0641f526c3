/// Matches an inquiry's sender against the directory and suggests one of the four acceptance
/// outcomes (design.md): pure rules over a ``DirectoryLookup``.
public struct Matcher: Sendable {
  public let rules: MatchingRules

  /// Raised by every change to matching that can change a stored suggestion: the daemon
  /// matches its queue of `new` inquiries again when it starts under a higher one (2: a
  /// `person` client, a free-mail address after the INN; 3: a client's own number or address
  /// on a contact card is the client's switchboard, not that person).
  public static let rulesVersion = 3

  public init(rules: MatchingRules = MatchingRules()) {
    self.rules = rules
  }

  /// What matching found.
  public struct Result: Sendable, Equatable {
    public var match: Inquiry.Match
    /// Whether the sender's e-mail, phone or messenger id belongs to a known contact (this makes
    /// the inquiry `returning`, design.md).
    public var knownContact: Bool
  }

  /// What one criterion pointed at.
  struct Evidence {
    var criterion: MatchCriterion
    /// Distinct clients, in the order found.
    var clients: [String]
    /// Contacts found (for contact-identifying criteria).
    var contacts: [DirectoryHit]
    /// Every client the key names, also through the records not preferred (a client's own
    /// phone when a contact of another client has it too): these make a conflict.
    var named: [String]
    /// The clients whose own record has the key (also when a contact of theirs has it too), or
    /// an office line of theirs (a number a contact lists with an extension).
    var ownRecords: [String] = []
  }

  /// The keys of a sender that matching looks up, by criterion. Invalid INNs and free-mail
  /// domains are left out here, so no lookup can use them.
  public func keys(sender: Inquiry.Sender, company: Inquiry.Company?) -> [(
    MatchCriterion, DirectoryKey
  )] {
    var keys: [(MatchCriterion, DirectoryKey)] = []
    let domain = sender.email.flatMap { DirectoryNormalizer.domain(ofEmail: $0) }
    let freeMail = domain.map { rules.isFreeMail($0) } ?? false
    // A corporate address names the sender's company before the INN they typed; a personal
    // free-mail one follows the person from job to job, so the INN (the company they write for
    // now) comes first, as it does before a phone.
    if let email = sender.email, !freeMail {
      keys.append((.email, DirectoryKey(.email, email)))
    }
    if let inn = company?.inn, INN.isValid(inn) {
      keys.append((.inn, DirectoryKey(.inn, inn)))
    }
    if let email = sender.email, freeMail {
      keys.append((.email, DirectoryKey(.email, email)))
    }
    if let phone = sender.phone {
      keys.append((.phone, DirectoryKey(.phone, phone)))
    }
    if let messenger = sender.messenger {
      if let id = messenger.id,
        let key = DirectoryNormalizer.messenger("\(messenger.network):\(id)")
      {
        keys.append((.messenger, DirectoryKey(.messenger, key)))
      }
      // A CRM usually knows a Telegram contact by `@username`, not by the numeric id.
      if let username = messenger.username,
        let key = DirectoryNormalizer.messenger("\(messenger.network):@\(username)")
      {
        keys.append((.messenger, DirectoryKey(.messenger, key)))
      }
    }
    if let domain, !freeMail {
      keys.append((.domain, DirectoryKey(.domain, domain)))
    }
    return keys
  }

  /// Matches the sender (and the company they named) against `directory`.
  public func match(
    sender: Inquiry.Sender, company: Inquiry.Company?, in directory: some DirectoryLookup
  ) throws -> Result {
    var evidence: [Evidence] = []
    var tooBroad: [String] = []
    var knownContact = false
    // `max_matches` counts the clients (and client-less contacts) a key points at: a
    // switchboard number on 25 contacts of one client still finds that client. The records
    // read are bounded too.
    let recordLimit = min(max(rules.maxMatches * 25, 100), 2_000)
    for (criterion, key) in keys(sender: sender, company: company) {
      // The usual key finds a few records; only one that finds more is read further, to count
      // its clients.
      var hits = try directory.records(with: key, limit: rules.maxMatches + 1)
      if hits.count > rules.maxMatches {
        hits = try directory.records(with: key, limit: recordLimit + 1)
      }
      let contacts = criterion.identifiesContact ? hits.filter { $0.recordType == .contact } : []
      // A person-level criterion prefers contacts: a client record's e-mail or phone is the
      // fallback ("phone → contact, else client").
      let pointing =
        contacts.isEmpty ? hits.filter { $0.recordType == .client } : contacts
      let clients = Self.unique(pointing.compactMap(\.clientID))
      let breadth = clients.count + pointing.filter { $0.clientID == nil }.count
      guard hits.count <= recordLimit, breadth <= rules.maxMatches else {
        // Too common to tell anyone (a shared number, a holding's domain): not used, and
        // said, so the manager knows the sender was not simply unknown.
        tooBroad.append(criterion.rawValue)
        continue
      }
      if !contacts.isEmpty { knownContact = true }
      guard !clients.isEmpty || !contacts.isEmpty else { continue }
      let named = Self.unique(hits.compactMap(\.clientID))
      evidence.append(
        Evidence(
          criterion: criterion, clients: clients, contacts: contacts, named: named,
          ownRecords: hits.filter { $0.recordType == .client }.compactMap(\.clientID)))
    }
    var match = try decide(evidence, in: directory)
    for criterion in tooBroad where !match.conflicts.contains(criterion) {
      match.conflicts.append(criterion)
    }
    return Result(match: match, knownContact: knownContact)
  }

  /// Chooses the client and contact from the evidence and the outcome from the client's
  /// interests.
  func decide(_ evidence: [Evidence], in directory: some DirectoryLookup) throws -> Inquiry.Match {
    // The strongest criterion that points at exactly one client decides; an ambiguous one
    // cannot, and is reported as a conflict rather than resolved by a guess.
    let clientID = evidence.first { $0.clients.count == 1 }?.clients.first
    let flags = try clientID.flatMap { try directory.clientFlags($0) }
    var contactID: String?
    for item in evidence where item.criterion.identifiesContact {
      // The organisation's own number or address copied onto one contact's card is its
      // switchboard (or shared mailbox): anyone there calls from it, so it names the client,
      // not that person. A person client's card repeated on a contact is the same person.
      if let clientID, flags?.person != true, item.ownRecords.contains(clientID) { continue }
      let candidates = Self.unique(item.contacts.filter { $0.clientID == clientID }.map(\.id))
      if candidates.count == 1 {
        contactID = candidates[0]
        break
      }
    }
    var match = Inquiry.Match()
    match.clientID = clientID
    match.contactID = contactID
    for item in evidence {
      let supports =
        (clientID != nil && item.clients.contains(clientID!))
        || (contactID != nil && item.contacts.contains { $0.id == contactID })
      // A criterion with two keys (a messenger id and username) is listed once.
      if supports, !match.by.contains(item.criterion.rawValue) {
        match.by.append(item.criterion.rawValue)
      }
      if item.named.contains(where: { $0 != clientID }),
        !match.conflicts.contains(item.criterion.rawValue)
      {
        match.conflicts.append(item.criterion.rawValue)
      }
    }
    // A person client's own e-mail, phone, messenger or INN is the sender's own: the client is
    // the person who wrote, not a company with someone new at it.
    var senderIsClient = false
    if let clientID {
      match.interestIDs = try directory.openInterestIDs(ofClient: clientID, contact: contactID)
      match.potentialClient = flags?.potential ?? false
      senderIsClient =
        contactID == nil && flags?.person == true
        && evidence.contains { $0.criterion != .domain && $0.ownRecords.contains(clientID) }
    } else {
      match.potentialClient = contactID == nil
    }
    if clientID == nil && contactID == nil {
      let persons = try Set(
        Self.unique(evidence.flatMap(\.clients)).filter {
          try directory.clientFlags($0)?.person == true
        })
      match.candidates = Self.candidates(evidence, persons: persons)
      // The sender is known, only not to which client: a new client would be a duplicate.
      if !match.candidates.isEmpty { match.potentialClient = false }
    }
    if clientID != nil && !match.interestIDs.isEmpty {
      match.suggestedAction = .interactionOnInterest
    } else if contactID != nil || senderIsClient
      || match.candidates.contains(where: { $0.contactID != nil })
    {
      match.suggestedAction = .existingContact
    } else if clientID != nil || !match.candidates.isEmpty {
      match.suggestedAction = .newContactOfClient
    } else {
      match.suggestedAction = .newClient
    }
    return match
  }

  /// The clients ambiguous evidence pointed at, strongest criterion first (by id within one,
  /// so the order does not depend on the lookup's), each with the one contact of it a
  /// person-level criterion found (if exactly one).
  static func candidates(_ evidence: [Evidence], persons: Set<String> = [])
    -> [Inquiry.Match.Candidate]
  {
    let clients = unique(evidence.flatMap { $0.clients.sorted() })
    return clients.map { client in
      var contact: String?
      for item in evidence where item.criterion.identifiesContact {
        // The client's own key on a contact's card: its switchboard, as in `decide`.
        if !persons.contains(client), item.ownRecords.contains(client) { continue }
        let ids = unique(item.contacts.filter { $0.clientID == client }.map(\.id))
        if ids.count == 1 {
          contact = ids[0]
          break
        }
      }
      return Inquiry.Match.Candidate(clientID: client, contactID: contact)
    }
  }

  static func unique(_ values: [String]) -> [String] {
    var seen: Set<String> = []
    return values.filter { seen.insert($0).inserted }
  }
}
