import InletMail
import InletStore

extension MailboxPoller.PassSummary {
  /// Counts one stored letter's outcome.
  mutating func tally(_ result: MailIngestResult) {
    switch result {
    case .created: created += 1
    case .continued: continued += 1
    case .duplicate, .alreadyStored: duplicates += 1
    case .kept(_, let status, _):
      if status == .ignored { ignored += 1 } else { quarantined += 1 }
    }
  }
}

extension MailboxPoller {
  /// Asks again, a letter per command, for the letters earlier passes could not get. One that
  /// comes is stored as any letter (its placeholder set aside) and `after_ingest` applies to
  /// it; one still refused counts an attempt (``InletDatabase/unfetchableAttempts`` make its
  /// placeholder final); one no longer in the folder is not asked for again.
  ///
  /// `fresh` are the letters this pass has just kept as unfetchable: they wait for the next one.
  func retryUnfetched(
    at location: MailLocation, cursor: UInt32, fresh: Set<UInt32>,
    into summary: inout PassSummary
  ) async throws {
    let uids = try await database.unfetchedMailUIDs(location).filter { !fresh.contains($0) }
    guard !uids.isEmpty else { return }
    let sizes = try await sizes(of: uids, in: location)
    // Gone is what the folder no longer has, not what has no size: a letter the server cannot
    // read may be refused its size too.
    let present = try await blocking { try $0.present(uids) }
    let gone = uids.filter { !present.contains($0) }
    var fetched = try await fetchAlone(present, sizes: sizes, in: location)
    // The window the first sync (`{days: N}`) or a rescan under `from_now` leaves alone: a
    // letter that came only now is dated now, and one from before the window stays out, as
    // the pass would have left it had the server given it then.
    var skipped: [UInt32] = []
    if let cursor = try await database.mailCursor(
      mailbox: location.mailbox, folder: location.folder),
      cursor.uidValidity == location.uidValidity, let window = cursor.rescanWindow
    {
      skipped = fetched.filter { window.leavesAlone(uid: $0.uid, arrival: $0.internalDate) }
        .map(\.uid)
      let left = Set(skipped)
      fetched.removeAll { left.contains($0.uid) }
    }
    let items = await normalise(fetched)
    let results = try await database.ingestMail(
      items, at: location, cursor: cursor, rateLimit: rateLimit,
      owed: settings.afterIngest != .keep)
    var stored: [UInt32] = []
    // As in a pass: a letter held back by the rate limit stays where it is.
    var owed: [UInt32] = []
    for (item, result) in zip(items, results) where !item.isUnfetchable {
      // A letter still refused is no news; one that came counts as any letter.
      stored.append(item.uid)
      if !result.isRateLimited { owed.append(item.uid) }
      summary.tally(result)
      summary.bytes += item.bytes.count
    }
    summary.fetched += stored.count
    try await database.settleUnfetched(location, stored: stored, gone: gone, skipped: skipped)
    try await reconnectIfNeeded(to: location)
    if !stored.isEmpty {
      logger.notice(
        "letters the server would not give earlier were fetched",
        metadata: ["letters": "\(stored.count)"])
    }
    try await afterIngestOwed(owed, at: location, into: &summary)
  }

  /// Fetches letters a command each. A letter whose FETCH ends the session (a server that hangs
  /// up rather than give it: Dovecot's `imap_fetch_failure`) is handed over without bytes, as
  /// an unfetchable letter, and the connection is made again for the next one.
  func fetchAlone(_ uids: [UInt32], sizes: [UInt32: Int], in location: MailLocation)
    async throws -> [IMAPFetchedMessage]
  {
    var messages: [IMAPFetchedMessage] = []
    for uid in uids {
      // A session the last letter's refusal ended is not used for the next one.
      try await reconnectIfNeeded(to: location)
      do {
        messages += try await fetch([uid], sizes: sizes)
      } catch let error as IMAPError where error.endsSession {
        logger.warning(
          "the server ended the session rather than give a letter; it is kept as unfetchable",
          metadata: ["imap.uid": "\(uid)", "error": "\(error)"])
        try await reconnect(to: location)
        messages.append(.unfetchable(uid: uid, size: sizes[uid] ?? 0))
      }
    }
    return messages
  }

  /// The letters' sizes. A server that ends the session over them (Dovecot hangs up when it
  /// cannot read a letter's file, `imap_fetch_failure`) is connected to again and the sizes are
  /// left to the fetch, which asks for a letter without one alone: one letter the server
  /// cannot read must not stop the mailbox at its sizes for good.
  func sizes(of uids: [UInt32], in location: MailLocation) async throws -> [UInt32: Int] {
    do {
      return try await blocking { try $0.sizes(of: uids) }
    } catch let error as IMAPError where error.endsSession {
      logger.warning(
        "the session ended while the letters' sizes were asked; they are asked one at a time",
        metadata: ["letters": "\(uids.count)", "error": "\(error)"])
      try await reconnect(to: location)
      return [:]
    }
  }

  /// ``reconnect(to:)`` when the session is over (the server said `BYE` or hung up).
  func reconnectIfNeeded(to location: MailLocation) async throws {
    if try await !blocking({ $0.isConnected }) { try await reconnect(to: location) }
  }

  /// Connects again and selects the folder; fails when its UIDVALIDITY is no longer the
  /// pass's (the pass then starts over).
  func reconnect(to location: MailLocation) async throws {
    await disconnect()
    try await connect()
    let settings = self.settings
    let status = try await blocking {
      try $0.select(settings.folder, readOnly: settings.afterIngest == .keep)
    }
    guard status.uidValidity == location.uidValidity else {
      throw MailboxError("UIDVALIDITY changed while the folder was read; starting over")
    }
  }
}
