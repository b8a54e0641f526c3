import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Matches an inquiry against the directory and sets `match` and `returning` (an earlier
  /// inquiry from the same sender, or a known contact). `storedAs` is the inquiry's own id when
  /// it is already stored (it is not "earlier" than itself). An inquiry continuing a decided one
  /// (`thread`, looked up from `thread.inquiry_id` when not given) keeps what the thread says.
  static func applyMatch(
    to inquiry: inout Inquiry, settings: DirectorySettings, storedAs id: Int64? = nil,
    thread: ThreadTarget? = nil, in db: Database
  ) throws {
    let result = try settings.matcher.match(
      sender: inquiry.sender, company: inquiry.company, in: SQLiteDirectoryLookup(db: db))
    inquiry.match = result.match
    if let id {
      inquiry.returning =
        try result.knownContact || hasEarlierInquiry(inquiry.sender, before: id, in: db)
    } else {
      inquiry.returning = try result.knownContact || isReturning(inquiry.sender, in: db)
    }
    try applyThread(to: &inquiry, thread, in: db)
    try applyAcceptedSender(to: &inquiry, storedAs: id, in: db)
  }

  /// A sender the directory does not know, whose other inquiry a manager accepted for a client
  /// the CRM named (`acceptance.client_id`): the second letter or call of a new lead, arriving
  /// before the CRM wrote the client it created to the directory, is suggested for that client
  /// (with the accepted contact and interest) rather than as one more new client, which would
  /// be a duplicate in the CRM. `match.accepted_inquiry_id` names the accepted inquiry. The
  /// strongest criterion decides (e-mail, then phone, then messenger id), the latest acceptance
  /// within it; a criterion whose acceptance named another client is a conflict. Applied after
  /// every match, so a directory rematch keeps it until the directory itself knows the sender.
  /// The latest accepted inquiry naming a client, by e-mail, phone and messenger id (the
  /// partial indexes `inquiries_accepted_*` hold accepted inquiries only), latest by the
  /// acceptance's own time: `updated_at` is rewritten by any later change of the inquiry (a
  /// call's late event), and holds numbers and date text both.
  private static let acceptedBySQL = ["sender_email", "sender_phone", "sender_messenger"].map {
    """
    SELECT id, acceptance FROM inquiries
    WHERE status = 'accepted' AND \($0) = ? AND id != ?
      AND json_extract(acceptance, '$.client_id') IS NOT NULL
    ORDER BY json_extract(acceptance, '$.at') DESC, id DESC LIMIT 1
    """
  }

  static func applyAcceptedSender(
    to inquiry: inout Inquiry, storedAs id: Int64?, in db: Database
  ) throws {
    // Where the directory said nothing; and where it named a client, to add what the manager's
    // acceptance of that same client knows and the CRM has not written back yet (the contact,
    // the deal just created). Not for a number the directory deliberately left unused (on too
    // many clients: a conflict), nor for a contact it knows without a client.
    let said = inquiry.match
    if let client = said.clientID {
      // (A reply in a decided thread has the thread's deal first: that decision is nearer.)
      if inquiry.thread == nil {
        try addAcceptedSender(to: &inquiry, client: client, storedAs: id, in: db)
      }
      return
    }
    guard said.contactID == nil, said.by.isEmpty else { return }
    let candidates = Set(said.candidates.map(\.clientID))
    var found: [(criterion: MatchCriterion, inquiryID: Int64, acceptance: Inquiry.Acceptance)] =
      []
    for (index, (criterion, value)) in senderValues(inquiry.sender).enumerated() {
      // A value the directory found on too many clients, or on several (a business centre's
      // switchboard), is anyone's: its acceptance says nothing. The sender's other values
      // still do. Where the directory left candidates (a head office and its branch under one
      // INN), an acceptance of one of them is the manager's choice among them.
      guard let value,
        let (inquiryID, acceptance) = try latestAcceptance(
          Self.acceptedBySQL[index], value, excluding: id, in: db),
        let client = acceptance.clientID, try !isDeleted(.clients, id: client, in: db),
        candidates.isEmpty
          ? !said.conflicts.contains(criterion.rawValue) : candidates.contains(client)
      else { continue }
      found.append((criterion, inquiryID, acceptance))
    }
    guard let first = found.first, let client = first.acceptance.clientID else { return }
    let agreeing = found.filter { $0.acceptance.clientID == client }
    var match = inquiry.match
    match.contactID = agreeing.lazy.compactMap(\.acceptance.contactID).first
    match.by = agreeing.map(\.criterion.rawValue)
    for disagreeing in found
    where disagreeing.acceptance.clientID != client
      && !match.conflicts.contains(disagreeing.criterion.rawValue)
    {
      match.conflicts.append(disagreeing.criterion.rawValue)
    }
    match.acceptedInquiryID = String(first.inquiryID)
    try adopt(first.acceptance, client: client, into: &match, in: db)
    inquiry.match = match
    inquiry.returning = true
  }

  /// A sender's e-mail, phone and messenger id, in the order of ``acceptedBySQL``.
  private static func senderValues(_ sender: Inquiry.Sender) -> [(MatchCriterion, String?)] {
    [
      (.email, sender.email), (.phone, sender.phone),
      (.messenger, InquiryRecord.messengerKey(sender)),
    ]
  }

  /// The latest acceptance of another inquiry with `value` (``acceptedBySQL``), and that
  /// inquiry's id. On every new inquiry (the writer's thread): usually an empty partial index,
  /// so the probe is all it costs.
  private static func latestAcceptance(
    _ sql: String, _ value: String, excluding id: Int64?, in db: Database
  ) throws -> (Int64, Inquiry.Acceptance)? {
    guard
      let row = try db.queryFirstDirect(
        db.cachedStatement(sql: sql),
        bind: { bind in
          try bind.text(1, value)
          try bind.integer(2, id ?? 0)
        },
        row: { row in (row.integer(0) ?? 0, row.text(1)) }),
      let text = row.1,
      let acceptance = try? InquiryJSON.decoder().decode(
        Inquiry.Acceptance.self, from: Data(text.utf8))
    else { return nil }
    return (row.0, acceptance)
  }

  /// A sender the directory matched to `client` whose other inquiry a manager accepted for
  /// that same client: the contact the acceptance named when the directory found none (a
  /// colleague known by the domain or INN only), and the accepted interest first unless the CRM
  /// closed it — the deal the manager opened for the first inquiry, which a nightly import has
  /// not brought yet, is the one the second continues. An acceptance of another client changes
  /// nothing: the directory's word stands.
  private static func addAcceptedSender(
    to inquiry: inout Inquiry, client: String, storedAs id: Int64?, in db: Database
  ) throws {
    for (index, (criterion, value)) in senderValues(inquiry.sender).enumerated() {
      guard let value else { continue }
      // A value the directory itself names the client by (the company's switchboard, its
      // info@ mailbox) is everyone's there: another person's acceptance says nothing of who
      // writes or calls from it now.
      if inquiry.match.by.contains(criterion.rawValue) { continue }
      guard
        let (inquiryID, acceptance) = try latestAcceptance(
          Self.acceptedBySQL[index], value, excluding: id, in: db)
      else { continue }
      // The strongest criterion's latest acceptance decides.
      guard acceptance.clientID == client else { return }
      var match = inquiry.match
      if match.contactID == nil { match.contactID = acceptance.contactID }
      // The directory's own interests as they are, the accepted one first.
      let directory = match.interestIDs
      try adopt(acceptance, client: client, into: &match, in: db)
      guard match.contactID != inquiry.match.contactID || match.interestIDs != directory else {
        return
      }
      match.acceptedInquiryID = String(inquiryID)
      inquiry.match = match
      inquiry.returning = true
      return
    }
  }

  /// The client a manager's acceptance named, as if the directory had named it (an accepted
  /// sender, a thread's decision): its open interests, the accepted interest first unless the
  /// CRM has closed it since, the suggestion they make, and whether the client is potential
  /// (the directory's word, else whether the acceptance created it).
  static func adopt(
    _ acceptance: Inquiry.Acceptance, client: String, into match: inout Inquiry.Match,
    in db: Database
  ) throws {
    let lookup = SQLiteDirectoryLookup(db: db)
    // A contact the CRM has deleted since is nobody's to offer.
    if let contact = match.contactID, try isDeleted(.contacts, id: contact, in: db) {
      match.contactID = nil
    }
    match.clientID = client
    match.candidates = []
    var interests = try lookup.openInterestIDs(ofClient: client, contact: match.contactID)
    if let interest = acceptance.interestID {
      interests.removeAll { $0 == interest }
      if try !isClosed(interest: interest, in: db) { interests.insert(interest, at: 0) }
    }
    match.interestIDs = interests
    let flags = try lookup.clientFlags(client)
    // A person client is the sender: no new contact to create.
    match.suggestedAction =
      !interests.isEmpty
      ? .interactionOnInterest
      : match.contactID != nil || flags?.person == true ? .existingContact : .newContactOfClient
    match.potentialClient =
      flags?.potential ?? (acceptance.action == SuggestedAction.newClient.rawValue)
  }

  /// Whether the CRM has closed the interest (the deal won or lost).
  /// (Or deleted it: a deal the CRM removed takes no more interactions either.)
  static func isClosed(interest: String, in db: Database) throws -> Bool {
    let status = try String.fetchOne(
      db.cachedStatement(sql: "SELECT status FROM interests WHERE id = ?"), arguments: [interest])
    if let status { return status == DirectoryInterest.Status.closed.rawValue }
    return try isDeleted(.interests, id: interest, in: db)
  }

  /// What continuing a decided inquiry adds to a match (design.md, "Statuses"): the sender is
  /// returning, and after an acceptance with an interest the suggestion is an interaction on
  /// that interest, for the client and contact the manager accepted it for when the directory
  /// does not say otherwise. Applied after every match, so a rematch keeps it.
  static func applyThread(
    to inquiry: inout Inquiry, _ known: ThreadTarget? = nil, in db: Database
  ) throws {
    guard let threadID = inquiry.thread.flatMap({ Int64($0.inquiryID) }) else { return }
    guard let earlier = try known ?? threadTarget(id: threadID, in: db) else { return }
    inquiry.returning = true
    guard var acceptance = earlier.acceptance, let interest = acceptance.interestID else { return }
    // Accepted with a deal but no client (the API allows it): the deal's client, where the
    // directory has the deal — a deal is always some client's.
    if acceptance.clientID == nil {
      acceptance.clientID = try interestClient(interest, in: db)
    }
    var match = inquiry.match
    defer { inquiry.match = match }
    // A client the CRM has deleted since (merged into another) is offered no more.
    if let client = acceptance.clientID, try isDeleted(.clients, id: client, in: db) { return }
    if let client = acceptance.clientID, match.clientID != client {
      // A reply from a person the directory knows at another company (the other side's
      // colleague in copy): the thread's deal is not theirs, and the directory's word on who
      // they are stands.
      if match.clientID != nil, match.contactID != nil { return }
      // Otherwise the client the manager accepted the thread for, with its deal: a
      // company-level match elsewhere (a domain, an INN another client lists) is said as a
      // conflict, not paired with this client's deal.
      for criterion in match.by where !match.conflicts.contains(criterion) {
        match.conflicts.append(criterion)
      }
      if match.clientID != nil { match.by = [] }
      if match.contactID == nil { match.contactID = acceptance.contactID }
      try adopt(acceptance, client: client, into: &match, in: db)
    }
    // An interest the CRM has since closed (the deal won or lost) takes no more interactions:
    // a client ordering again by replying to old correspondence is suggested what any sender
    // of that client would be.
    if try isClosed(interest: interest, in: db) { return }
    match.suggestedAction = .interactionOnInterest
    // The thread's own interest first: the deal this conversation is about.
    match.interestIDs.removeAll { $0 == interest }
    match.interestIDs.insert(interest, at: 0)
  }

  /// Matches again the still-`new` inquiries `change` can affect; returns how many changed.
  static func rematch(
    _ change: DirectoryChange, settings: DirectorySettings, in db: Database
  ) throws -> Int {
    guard !change.isEmpty else { return 0 }
    let matcher = settings.matcher
    // A client that came or went changes what its contacts' inquiries match: the contact
    // names its client only while the client is in the directory, and an office line a
    // contact lists finds the client only then.
    var contactIDs = change.contactIDs
    var changedKeys = change.keys
    if !change.everything, !change.clientRecords.isEmpty {
      let clients = Array(change.clientRecords)
      for start in stride(from: 0, to: clients.count, by: 500) {
        let chunk = Array(clients[start..<min(start + 500, clients.count)])
        let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
        let contacts = try Row.fetchAll(
          db, sql: "SELECT id, keys FROM contacts WHERE client_id IN (\(marks))",
          arguments: StatementArguments(chunk))
        for contact in contacts {
          contactIDs.insert(contact["id"])
          changedKeys.formUnion(parseKeys(contact["keys"]))
        }
      }
    }
    if change.everything {
      let all = try Int64.fetchAll(
        db, sql: "SELECT id FROM inquiries WHERE status = 'new' ORDER BY id")
      return try rematch(stored: all, settings: settings, at: Date(), in: db)
    }
    // The changed keys by what a sender's column is compared with (a superset is harmless:
    // an inquiry matched again to the same result is left as it was).
    var values: [DirectoryKey.Kind: Set<String>] = [:]
    for key in changedKeys { values[key.kind, default: []].insert(key.value) }
    let phones = values[.phone, default: []].union(values[.officePhone, default: []])
    let emails = values[.email, default: []]
    let mailboxes = emails.union(values[.mailbox, default: []])
    let domains = values[.domain, default: []].union(values[.emailDomain, default: []])
    let messengers = values[.messenger, default: []]
    func json(_ set: Set<String>) -> String {
      String(decoding: ValueJSON.serialize(.array(set.sorted().map(Value.string))), as: UTF8.self)
    }
    // What the columns name as written, and the match kept beside the document: read from
    // the `new` rows' columns, without parsing any document.
    var affected = Set(
      try Int64.fetchAll(
        db,
        sql: """
          SELECT id FROM inquiries WHERE status = 'new' AND (
            sender_phone IN (SELECT value FROM json_each(?))
            OR sender_email IN (SELECT value FROM json_each(?))
            OR company_inn IN (SELECT value FROM json_each(?))
            OR match_client_id IN (SELECT value FROM json_each(?))
            OR match_contact_id IN (SELECT value FROM json_each(?)))
          """,
        arguments: [
          json(phones), json(emails), json(values[.inn, default: []]), json(change.clientIDs),
          json(contactIDs),
        ]))
    // What only a sender's address or messenger account derives (the domain, the mailbox an
    // alias delivers to, a Telegram @username the CRM knows the contact by): read from the
    // columns of those with one, the username from the document only when the change names one.
    if !mailboxes.isEmpty || !domains.isEmpty || !messengers.isEmpty {
      let usernames = messengers.contains { $0.contains(":@") }
      let username =
        usernames
        ? "json_extract(\(InquiryRecord.documentSQL), '$.sender.messenger.username')" : "NULL"
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT id, sender_email, sender_messenger, \(username) AS messenger_username
          FROM inquiries WHERE status = 'new'
            AND (sender_email IS NOT NULL OR sender_messenger IS NOT NULL)
          """)
      for row in rows {
        let id: Int64 = row["id"]
        if affected.contains(id) { continue }
        if let email = row["sender_email"] as String? {
          if !domains.isEmpty, let domain = DirectoryNormalizer.domain(ofEmail: email),
            domains.contains(domain)
          {
            affected.insert(id)
            continue
          }
          if !mailboxes.isEmpty, mailboxes.contains(EmailNormalizer.mailbox(email) ?? email) {
            affected.insert(id)
            continue
          }
        }
        if !messengers.isEmpty,
          let messenger = (row["sender_messenger"] as String?).flatMap(Self.messenger)
        {
          let sender = Inquiry.Sender(
            messenger: Inquiry.Messenger(
              network: messenger.network, id: messenger.id, username: row["messenger_username"]))
          if matcher.keys(sender: sender, company: nil).contains(where: {
            $0.1.kind == .messenger && messengers.contains($0.1.value)
          }) {
            affected.insert(id)
          }
        }
      }
    }
    return try rematch(stored: affected.sorted(), settings: settings, at: Date(), in: db)
  }

  /// Matches the still-`new` inquiries of `sender` (by e-mail, phone or messenger id) again, but
  /// `key`'s: a decision on one of them changes what the others are suggested
  /// (``applyAcceptedSender(to:storedAs:in:)``).
  static func rematch(
    sameSenderAs sender: Inquiry.Sender, excluding key: Int64, settings: DirectorySettings,
    at now: Date, in db: Database
  ) throws {
    let messenger = InquiryRecord.messengerKey(sender)
    guard sender.email != nil || sender.phone != nil || messenger != nil else { return }
    // (`+status`: by the sender indexes, not by every `new` inquiry's.)
    let ids = try Int64.fetchAll(
      db,
      sql: """
        SELECT id FROM inquiries WHERE +status = 'new' AND id != ?
          AND (sender_email = ? OR sender_phone = ? OR sender_messenger = ?) ORDER BY id
        """, arguments: [key, sender.email, sender.phone, messenger])
    try rematch(stored: ids, settings: settings, at: now, in: db)
  }

  /// Matches stored `new` inquiries again; each whose match changed is written with an
  /// `inquiry.updated` event (API consumers, SSE and push, learn of a new match like of any
  /// other change). Returns how many changed.
  @discardableResult
  static func rematch(
    stored ids: [Int64], settings: DirectorySettings, at now: Date, in db: Database
  ) throws -> Int {
    var changed = 0
    for id in ids {
      let written = try rewriteInquiry(id, at: now, in: db) { inquiry, stored in
        guard stored.status == InquiryStatus.new.rawValue else { return false }
        let before = (inquiry.match, inquiry.returning)
        try applyMatch(to: &inquiry, settings: settings, storedAs: id, in: db)
        return inquiry.match != before.0 || inquiry.returning != before.1
      }
      if written { changed += 1 }
    }
    return changed
  }

  /// Whether an inquiry older than `id` came from the same e-mail, phone or messenger id.
  static func hasEarlierInquiry(_ sender: Inquiry.Sender, before id: Int64, in db: Database)
    throws -> Bool
  {
    var conditions: [SQLExpression] = []
    if let email = sender.email { conditions.append(InquiryRecord.Columns.senderEmail == email) }
    if let phone = sender.phone { conditions.append(InquiryRecord.Columns.senderPhone == phone) }
    if let key = InquiryRecord.messengerKey(sender) {
      conditions.append(InquiryRecord.Columns.senderMessenger == key)
    }
    guard !conditions.isEmpty else { return false }
    // One row is the answer: a shared number's thousands of earlier calls are not counted.
    return try InquiryRecord.filter(InquiryRecord.Columns.id < id)
      .filter(conditions.joined(operator: .or)).isEmpty(db) == false
  }

  /// `network:id` of the `sender_messenger` column back into a messenger.
  private static func messenger(_ key: String) -> Inquiry.Messenger? {
    guard let colon = key.firstIndex(of: ":") else { return nil }
    return Inquiry.Messenger(
      network: String(key[..<colon]), id: String(key[key.index(after: colon)...]))
  }

  /// The name to show for a caller (telephony `contact` lookups: MegaFon `cmd=contact`,
  /// Zadarma `caller_name`): the matched contact's name, else the matched client's; `nil` when
  /// the number is unknown or ambiguous.
  public func callerName(phone: String) async throws -> String? {
    let settings = directorySettings
    return try await read { db in try Self.callerName(phone: phone, settings: settings, in: db) }
  }

  static func callerName(phone raw: String, settings: DirectorySettings, in db: Database) throws
    -> String?
  {
    guard let phone = settings.normalizer.phone.normalize(raw) else { return nil }
    let result = try settings.matcher.match(
      sender: Inquiry.Sender(phone: phone), company: nil, in: SQLiteDirectoryLookup(db: db))
    if let contact = result.match.contactID,
      let name = try String.fetchOne(
        db, sql: "SELECT name FROM contacts WHERE id = ?", arguments: [contact])
    {
      return name
    }
    if let client = result.match.clientID {
      return try String.fetchOne(
        db, sql: "SELECT name FROM clients WHERE id = ?", arguments: [client])
    }
    return nil
  }
}
