import Dispatch
import Foundation
import InletCore
import InletMail
import InletStore
import Logging
import Metrics
import Synchronization

/// One mailbox's connection and synchronisation: the blocking libcurl client runs on the
/// poller's own serial queue, never on the concurrency pool; letters are normalised in
/// parallel and stored a chunk per transaction, the cursor advancing in the same commit.
final class MailboxPoller: Sendable {
  let settings: MailboxSettings
  let database: InletDatabase
  let builder: MailItemBuilder
  let rateLimit: MailRateLimit
  let logger: Logger
  /// Letters fetched and stored per transaction, at most.
  let chunkSize: Int
  /// And their bytes, at most (one larger letter is a chunk alone).
  let chunkBytes: Int
  private let queue: DispatchQueue
  private let client = Mutex<IMAPClient?>(nil)
  /// Letters `move:` copied but the server would not remove (by UIDVALIDITY): the next
  /// attempt only removes them, instead of filling the target with copies every pass.
  let copiedAwaitingRemoval = Mutex<(uidValidity: UInt32, uids: Set<UInt32>)>((0, []))
  let stopRequested = Atomic<Bool>(false)
  /// The server answered IDLE with NO or BAD although it offers it: this poller sleeps instead
  /// (until its next connection).
  let idleRefused = Atomic<Bool>(false)

  /// What one pass did.
  struct PassSummary: Sendable, Equatable {
    var fetched = 0
    var created = 0
    var continued = 0
    var duplicates = 0
    var ignored = 0
    var quarantined = 0
    var bytes = 0
    /// The arrival time (INTERNALDATE) of the newest letter stored: now minus it is the lag.
    var newestArrival: Date?
    /// The server refused `after_ingest` (a missing target folder, no rights): the letters are
    /// stored and stay owed — applied by a later pass — and new mail is still ingested.
    var afterIngestError: String?

    var line: String {
      "\(fetched) fetched: \(created) new, \(continued) continuations, \(duplicates) duplicates, "
        + "\(ignored) ignored, \(quarantined) quarantined"
    }
  }

  init(
    settings: MailboxSettings, database: InletDatabase, mail: MailSection, logger: Logger,
    chunkSize: Int = 500, chunkBytes: Int = 32 << 20
  ) {
    self.settings = settings
    self.database = database
    self.builder = MailItemBuilder(
      mailbox: settings.name, folder: settings.folder, options: mail.normaliserOptions)
    self.rateLimit = MailRateLimit(
      count: mail.rateLimitCount,
      window: DurationText.parse(mail.rateLimitWindow)?.inSeconds ?? 7200)
    var logger = logger
    logger[metadataKey: "mailbox"] = "\(settings.name)"
    self.logger = logger
    self.chunkSize = chunkSize
    self.chunkBytes = chunkBytes
    self.queue = DispatchQueue(label: "inlet.mailbox.\(settings.name)")
  }

  /// Runs `body` with the connected client on the poller's queue.
  func blocking<T: Sendable>(_ body: @escaping @Sendable (IMAPClient) throws -> T)
    async throws -> T
  {
    try await withCheckedThrowingContinuation { continuation in
      queue.async {
        do {
          guard let connected = self.client.withLock({ $0 }) else { throw IMAPError.closed }
          continuation.resume(returning: try body(connected))
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
  }

  var isConnected: Bool { client.withLock { $0 != nil } }

  /// Connects and logs in (the secret is read now: a rotated file or token is picked up).
  func connect() async throws {
    let connected: IMAPClient = try await withCheckedThrowingContinuation { continuation in
      // On the poller's queue, the secret too: `oauth2_token_command` may take its time (it
      // is bounded, see ``run(_:timeout:)``), and must not hold a thread of the shared pool.
      queue.async {
        do {
          let endpoint = try IMAPEndpoint(
            url: self.settings.url + "/" + self.settings.folder,
            username: self.settings.username, credential: self.credential(), tls: self.tlsMode,
            caFile: self.settings.caFile, timeout: 30)
          let fresh = try IMAPClient(endpoint: endpoint)
          try fresh.connect()
          continuation.resume(returning: fresh)
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
    client.withLock { $0 = connected }
    // A new session may IDLE again: a refusal was this connection's (Exchange refuses it on a
    // session whose backend is not connected yet).
    idleRefused.store(false, ordering: .relaxed)
  }

  private var tlsMode: IMAPTLSMode {
    switch settings.tls {
    case .implicit: return .implicit
    case .starttls: return .starttls
    case .none: return .none
    }
  }

  private func credential() throws -> IMAPCredential {
    switch settings.credential {
    case .passwordFile(let path):
      return .password(try Self.readSecret(path))
    case .oauth2TokenFile(let path):
      return .xoauth2(token: try Self.readSecret(path))
    case .oauth2TokenCommand(let command, let directory):
      return .xoauth2(token: try Self.run(command, in: directory))
    }
  }

  /// Drops the connection (after an error, or at the end of `inlet poll`).
  func disconnect() async {
    let old = client.withLock { value -> IMAPClient? in
      defer { value = nil }
      return value
    }
    guard let old else { return }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      queue.async {
        old.logout()
        continuation.resume()
      }
    }
  }

  /// Asks a running IDLE to end (shutdown).
  func requestStop() { stopRequested.store(true, ordering: .relaxed) }

  /// One synchronisation of the folder: every letter above the cursor is stored exactly once.
  func pass() async throws -> PassSummary {
    let settings = self.settings
    let readOnly = settings.afterIngest == .keep
    let status = try await blocking { try $0.select(settings.folder, readOnly: readOnly) }
    let location = MailLocation(
      mailbox: settings.name, folder: settings.folder, uidValidity: status.uidValidity)
    copiedAwaitingRemoval.withLock { state in
      if state.uidValidity != status.uidValidity { state = (status.uidValidity, []) }
    }
    var summary = PassSummary()
    let cursor = try await database.mailCursor(mailbox: settings.name, folder: settings.folder)

    let lastUID: UInt32
    // After a UIDVALIDITY change under `from_now`: letters that arrived before the first sync
    // were left alone then and stay so (the rescan window starts a day earlier, by date). Kept
    // in the cursor: a rescan interrupted halfway goes on with the same rule.
    var skip: MailWindow?
    if let cursor, cursor.uidValidity == status.uidValidity {
      lastUID = cursor.lastUID
      if let window = cursor.rescanWindow, lastUID < window.until { skip = window }
      try await reconcile(location, upTo: lastUID, into: &summary)
    } else {
      // A first sync, or the server renumbered the folder: choose where the new epoch starts.
      // Letters from before `since` are left alone; `all` starts from the first UID.
      var since: Date?
      if let cursor {
        Counter(
          label: "inlet_imap_uidvalidity_changes_total", dimensions: [("mailbox", settings.name)]
        )
        .increment()
        logger.warning(
          "UIDVALIDITY changed: rescanning the folder; letters already ingested are linked",
          metadata: [
            "imap.uidvalidity.old": "\(cursor.uidValidity)",
            "imap.uidvalidity.new": "\(status.uidValidity)",
          ])
        // What the old epoch could have ingested: from a day before its cursor was set (or the
        // first sync's days before that).
        var days = 1.0
        if case .days(let first) = settings.firstSync { days = max(days, Double(first)) }
        since = cursor.createdAt.addingTimeInterval(-days * 86_400)
        // (INTERNALDATE has whole seconds: a letter of the first sync's very second is taken
        // for an old one: if it came after, the first epoch has already stored it.)
        if settings.firstSync == .fromNow {
          skip = MailWindow(before: cursor.createdAt, until: try await highestUID(status))
        }
      } else if case .days(let days) = settings.firstSync {
        since = Date().addingTimeInterval(-Double(days) * 86_400)
      }
      // `{days: N}`: the folder's letters from before `since` stay out, also those whose UID
      // is above the first recent one — old letters a person moved in from an archive keep
      // their INTERNALDATE but get new UIDs. Letters arriving after this pass are all taken.
      if skip == nil, case .days = settings.firstSync, let since {
        skip = MailWindow(before: since, until: try await highestUID(status))
      }
      let start: UInt32
      if settings.firstSync == .all {
        start = 0
      } else if let since,
        let first = try await blocking({ try $0.uidSearch(since: since) }).min()
      {
        start = first - 1
      } else {
        start = try await highestUID(status)
      }
      try await database.setMailCursor(location, lastUID: start, rescan: skip)
      lastUID = start
    }

    let uids = try await blocking { try $0.uidsAbove(lastUID) }.filter { $0 > lastUID }.sorted()
    let sizes = uids.isEmpty ? [:] : try await sizes(of: uids, in: location)
    let chunks = Self.chunks(
      uids, sizes: sizes, maxCount: chunkSize, maxBytes: chunkBytes,
      messageLimit: settings.maxMessageBytes)
    // The next chunk is fetched while this one is normalised and stored: the server, the
    // parser and SQLite work at the same time.
    var next: Task<[IMAPFetchedMessage], any Error>? = chunks.first.map { first in
      Task { try await self.fetch(first, sizes: sizes) }
    }
    // And chunks are committed while the next ones are normalised: a store waits only for the
    // one before it (commits stay in order, and none follows a failed one), so the normaliser
    // can run a chunk ahead of the store instead of meeting it after every chunk.
    var stores: [Task<([MailItem], [MailIngestResult]), any Error>] = []
    // Letters this pass kept as unfetchable: asked for again by the next pass, not this one.
    var fresh: Set<UInt32> = []
    let owesAfterIngest = settings.afterIngest != .keep
    func finish(_ task: Task<([MailItem], [MailIngestResult]), any Error>) async throws {
      let (items, results) = try await task.value
      var stored: [UInt32] = []
      for (item, result) in zip(items, results) {
        // A letter the server would not give is not the server's to mark or move: it is
        // asked for again by the next passes (``retryUnfetched``), not this one.
        if item.isUnfetchable {
          fresh.insert(item.uid)
        } else if !result.isRateLimited {
          stored.append(item.uid)
        }
        summary.tally(result)
      }
      // Only now, after the commit, is the server told.
      try await afterIngestOwed(stored, at: location, into: &summary)
    }
    for (number, chunk) in chunks.enumerated() {
      // Stopping (SIGTERM, a reload): the chunks stored so far are committed with their
      // cursor; the rest waits for the next start rather than holding the shutdown.
      if stopRequested.load(ordering: .relaxed) {
        break
      }
      guard let current = next else { break }
      let waited = ContinuousClock.now
      var fetched: [IMAPFetchedMessage]
      do {
        fetched = try await current.value
      } catch let error as IMAPError where error.endsSession {
        // The session ended in the middle of the chunk: a server restart, or a letter the
        // server hangs up on rather than give (Dovecot's `imap_fetch_failure`). On a new
        // connection the chunk is read a letter at a time, so one such letter cannot stop the
        // mailbox for good; if the server cannot be reached, the pass fails as before.
        logger.warning(
          "the session ended while letters were fetched; reading them one at a time",
          metadata: ["letters": "\(chunk.count)", "error": "\(error)"])
        try await reconnect(to: location)
        fetched = try await fetchAlone(chunk, sizes: sizes, in: location)
      }
      // A server that ended the session rather than give a letter asked for again (the
      // letter is handed over without bytes): connected again for what follows.
      try await reconnectIfNeeded(to: location)
      let fetchedAt = ContinuousClock.now
      if let skip {
        fetched.removeAll { skip.leavesAlone(uid: $0.uid, arrival: $0.internalDate) }
      }
      next =
        number + 1 < chunks.count
        ? Task { [chunks] in try await self.fetch(chunks[number + 1], sizes: sizes) } : nil
      summary.fetched += fetched.count
      summary.bytes += fetched.reduce(0) { $0 + $1.bytes.count }
      if let newest = fetched.compactMap(\.internalDate).max() {
        summary.newestArrival = max(summary.newestArrival ?? newest, newest)
      }
      let items = await normalise(fetched)
      let normalisedAt = ContinuousClock.now
      // One store in progress and one waiting behind it at most.
      while stores.count >= 2 { try await finish(stores.removeFirst()) }
      logger.debug(
        "chunk normalised",
        metadata: [
          "letters": "\(chunk.count)", "fetch_wait": "\(fetchedAt - waited)",
          "normalise": "\(normalisedAt - fetchedAt)",
          "previous_commit_wait": "\(ContinuousClock.now - normalisedAt)",
        ])
      let cursor = chunk.last!
      let previous = stores.last
      stores.append(
        Task { [database, rateLimit, logger] in
          if let previous { _ = try await previous.value }
          let started = ContinuousClock.now
          let results = try await database.ingestMail(
            items, at: location, cursor: cursor, rateLimit: rateLimit, owed: owesAfterIngest)
          logger.debug(
            "chunk stored",
            metadata: ["letters": "\(items.count)", "store": "\(ContinuousClock.now - started)"])
          return (items, results)
        })
    }
    for store in stores { try await finish(store) }
    if !stopRequested.load(ordering: .relaxed) {
      try await retryUnfetched(at: location, cursor: lastUID, fresh: fresh, into: &summary)
    }
    Self.count(summary, mailbox: settings.name)
    return summary
  }

  /// The highest UID in the folder now (the `from_now` starting point).
  private func highestUID(_ status: IMAPFolderStatus) async throws -> UInt32 {
    if let next = status.uidNext { return next &- 1 }
    return try await blocking { try $0.uidSearchAll().max() ?? 0 }
  }

  func fetch(_ uids: [UInt32], sizes: [UInt32: Int]) async throws
    -> [IMAPFetchedMessage]
  {
    let maxBytes = settings.maxMessageBytes
    var known: [UInt32: Int] = [:]
    for uid in uids { if let size = sizes[uid] { known[uid] = size } }
    return try await blocking { [known] client in
      var messages: [IMAPFetchedMessage] = []
      messages.reserveCapacity(uids.count)
      try client.fetch(uids: uids, maxBytes: maxBytes, batch: 100, knownSizes: known) {
        messages.append($0)
      }
      // Letters the server would not give come last; the store takes them in UID order.
      if messages.indices.dropFirst().contains(where: { messages[$0 - 1].uid > messages[$0].uid }) {
        messages.sort { $0.uid < $1.uid }
      }
      return messages
    }
  }

  /// Cuts the UIDs to fetch into chunks of at most `maxCount` letters and `maxBytes` bytes
  /// (a letter over `messageLimit` counts as its headers, 64 KiB at most; one letter larger
  /// than `maxBytes` is a chunk of its own): a chunk is held several times over while it is
  /// fetched, normalised and stored, so a backlog of large letters must not be cut by count
  /// alone. UIDs without a size (gone from the folder) ride along and are skipped.
  static func chunks(
    _ uids: [UInt32], sizes: [UInt32: Int], maxCount: Int, maxBytes: Int, messageLimit: Int
  ) -> [[UInt32]] {
    var chunks: [[UInt32]] = []
    var current: [UInt32] = []
    var bytes = 0
    for uid in uids {
      let size = sizes[uid] ?? 0
      let cost = size > messageLimit ? min(size, 64 << 10) : size
      if !current.isEmpty && (current.count >= maxCount || bytes + cost > maxBytes) {
        chunks.append(current)
        current = []
        bytes = 0
      }
      current.append(uid)
      bytes += cost
    }
    if !current.isEmpty { chunks.append(current) }
    return chunks
  }

  /// Normalises letters on every core, at a lower priority than the writer (see
  /// ``BackgroundThreads``); the order is kept. Workers take letters a few at a time from a
  /// shared counter, so one slow letter does not leave the other cores idle.
  func normalise(_ messages: [IMAPFetchedMessage]) async -> [MailItem] {
    let builder = self.builder
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    guard messages.count > 32, workers > 1 else {
      return messages.map { builder.item($0) }
    }
    let step = 8
    let claimed = ClaimCounter()
    // On threads of lower priority: the writer storing the previous chunk goes first.
    let parts = await BackgroundThreads.run(count: workers) {
      var done: [(Int, MailItem)] = []
      while true {
        let start = claimed.claim(step)
        if start >= messages.count { break }
        for index in start..<min(start + step, messages.count) {
          done.append((index, builder.item(messages[index])))
        }
      }
      return done
    }
    var items = [MailItem?](repeating: nil, count: messages.count)
    for done in parts {
      for (index, item) in done { items[index] = item }
    }
    return items.map { $0! }
  }

  static func count(_ summary: PassSummary, mailbox: String) {
    for (outcome, value) in [
      ("created", summary.created), ("continued", summary.continued),
      ("duplicate", summary.duplicates), ("ignored", summary.ignored),
      ("quarantined", summary.quarantined),
    ] where value > 0 {
      Counter(
        label: "inlet_imap_letters_total", dimensions: [("mailbox", mailbox), ("outcome", outcome)]
      )
      .increment(by: value)
    }
    if summary.created > 0 {
      // The lead counter of every channel: a mailbox is the channel of its letters.
      Counter(
        label: "inlet_inquiries_created_total",
        dimensions: [("channel", mailbox), ("kind", InquiryKind.email.rawValue)]
      )
      .increment(by: summary.created)
    }
    if summary.bytes > 0 {
      Counter(label: "inlet_imap_bytes_total", dimensions: [("mailbox", mailbox)])
        .increment(by: summary.bytes)
    }
  }
}

extension MailItemBuilder {
  func item(_ message: IMAPFetchedMessage) -> MailItem {
    item(
      uid: message.uid, bytes: message.bytes, size: message.size,
      internalDate: message.internalDate, headersOnly: message.headersOnly,
      unfetchable: message.unfetchable)
  }
}

/// A mailbox problem that is not the server's (a secret file, the token command).
struct MailboxError: Error, CustomStringConvertible {
  var description: String
  /// What a failing helper wrote to its error output: for the log and `inlet poll`, never for
  /// `/health` (which anyone who reaches the listener reads; a helper may print a secret).
  var detail: String?
  init(_ description: String, detail: String? = nil) {
    self.description = description
    self.detail = detail
  }
}

/// Hands out consecutive ranges to parallel workers.
private final class ClaimCounter: Sendable {
  private let next = Atomic<Int>(0)

  /// The start of the next `count` items.
  func claim(_ count: Int) -> Int { next.add(count, ordering: .relaxed).oldValue }
}
