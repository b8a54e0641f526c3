import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Fetching letters: sizes first, then pipelined `UID FETCH` batches (full letters, or headers
/// only over the size limit), parsed as they stream in.
extension IMAPClient {
  // MARK: Fetching

  /// Fetches the given UIDs pipelined in batches: `UID FETCH set (UID RFC822.SIZE INTERNALDATE
  /// BODY.PEEK[])`, never RFC822 (it sets \Seen). Letters larger than `maxBytes` come as
  /// headers only (`BODY.PEEK[HEADER]`, `headersOnly` true). The sizes are asked first in one
  /// cheap `UID FETCH set (UID RFC822.SIZE)` (unless the caller has them: `knownSizes`). The
  /// handler is called in UID order; an error it
  /// throws stops the fetch (the commands in flight are drained) and is rethrown. UIDs the
  /// folder no longer has are skipped; a letter the server will not give (`BODY[] NIL`, or
  /// left out of an OK while the folder still has it) is handed over with no bytes, after the
  /// others: the caller keeps it as such rather than passing it over or stopping at it.
  public func fetch(
    uids: [UInt32], maxBytes: Int, batch: Int, knownSizes: [UInt32: Int]? = nil,
    handler: (IMAPFetchedMessage) throws -> Void
  ) throws {
    try guarded {
      let wanted = Array(Set(uids)).sorted()
      guard !wanted.isEmpty else { return }
      // A letter of up to maxBytes (plus its FETCH line) must fit in one response.
      let needed = maxBytes > Int.max / 2 ? Int.max / 2 : maxBytes + 1024 * 1024
      framer.maxResponseBytes = max(maxResponseBytes, needed)
      defer { framer.maxResponseBytes = maxResponseBytes }
      var sizes = try knownSizes ?? fetchSizes(wanted)
      // A letter whose size did not come (the server refused it, or a caller whose sizes
      // command ended the session) is not passed over as gone: one the folder still has is
      // asked for alone; one the server will not size is handed over without bytes.
      let unsized = wanted.filter { sizes[$0] == nil }
      var unfetchable: [UInt32] = []
      if !unsized.isEmpty {
        for uid in try present(unsized) {
          do {
            try execute("UID FETCH \(uid) (UID RFC822.SIZE)") { response in
              guard case .fetch(let fields) = response, fields.uid == uid,
                let size = fields.size
              else { return }
              sizes[uid] = size
            }
          } catch let error as IMAPError where error.refusesLetters {
          } catch let error as IMAPError where error.endsSession && wanted.count == 1 {
            // Asked for this letter alone: it is the one the server hangs up on.
            sessionOver = true
          }
          if sizes[uid] == nil { unfetchable.append(uid) }
        }
      }
      var plans: [FetchPlan] = []
      var small: [UInt32] = []
      func flushSmall() {
        for set in UIDSet.chunks(small, maxCount: max(1, batch)) {
          plans.append(FetchPlan(uids: set.uids, set: set.text, headersOnly: false))
        }
        small.removeAll(keepingCapacity: true)
      }
      for uid in wanted {
        guard let size = sizes[uid] else { continue }
        if size > maxBytes {
          flushSmall()
          plans.append(FetchPlan(uids: [uid], set: "\(uid)", headersOnly: true))
        } else {
          small.append(uid)
        }
      }
      flushSmall()
      try runPipelined(plans, sizes: sizes, handler: handler)
      for uid in unfetchable { try handler(.unfetchable(uid: uid, size: 0)) }
    }
  }

  private struct FetchPlan {
    var uids: [UInt32]
    var set: String
    var headersOnly: Bool
    var tag = ""

    init(uids: [UInt32], set: String, headersOnly: Bool) {
      self.uids = uids
      self.set = set
      self.headersOnly = headersOnly
    }
  }

  /// `RFC822.SIZE` of each UID the folder has (one cheap command per 50,000 UIDs). A command
  /// the server answers `NO` (it could not read some letter) gives the sizes that came; a UID
  /// without one is then either gone or a letter ``fetch(uids:maxBytes:batch:knownSizes:handler:)``
  /// asks for alone.
  public func sizes(of uids: [UInt32]) throws -> [UInt32: Int] {
    try guarded { try fetchSizes(Array(Set(uids)).sorted()) }
  }

  private func fetchSizes(_ uids: [UInt32]) throws -> [UInt32: Int] {
    var sizes: [UInt32: Int] = [:]
    sizes.reserveCapacity(uids.count)
    for set in UIDSet.chunks(uids, maxCount: 50_000) {
      do {
        try execute("UID FETCH \(set.text) (UID RFC822.SIZE)") { response in
          guard case .fetch(let fields) = response, let uid = fields.uid, let size = fields.size
          else { return }
          sizes[uid] = size
        }
      } catch let error as IMAPError where error.refusesLetters {
        // What came is kept; the letters without a size are looked at one by one.
      }
    }
    return sizes
  }

  private func runPipelined(
    _ plans: [FetchPlan], sizes: [UInt32: Int], handler: (IMAPFetchedMessage) throws -> Void
  ) throws {
    var pending: [FetchPlan] = []
    var pendingStart = 0
    var nextPlan = 0
    var arrived: [IMAPFetchedMessage] = []
    var stopError: Error?
    var missing: [UInt32] = []
    /// Letters of a batch the server answered `NO` (Gmail: "Some messages could not be
    /// FETCHed"): asked again one by one once the pipeline is drained.
    var refused: [(uid: UInt32, headersOnly: Bool)] = []
    /// INTERNALDATEs that came in a response of their own, before their letter's body.
    var dates: [UInt32: Date] = [:]

    func issue() throws {
      while stopError == nil && nextPlan < plans.count
        && pending.count - pendingStart < pipelineDepth
      {
        var plan = plans[nextPlan]
        nextPlan += 1
        let section = plan.headersOnly ? "BODY.PEEK[HEADER]" : "BODY.PEEK[]"
        plan.tag = try send("UID FETCH \(plan.set) (UID RFC822.SIZE INTERNALDATE \(section))")
        pending.append(plan)
      }
    }

    try issue()
    while pendingStart < pending.count {
      switch try read() {
      case .fetch(let fields):
        guard let body = fields.body else {
          // A server may split a letter's items over two responses (the date in one, the
          // body in the other, either first): the date is kept for the letter's body.
          if let uid = fields.uid, let date = fields.internalDate, sizes[uid] != nil {
            if let index = arrived.lastIndex(where: { $0.uid == uid }) {
              if arrived[index].internalDate == nil { arrived[index].internalDate = date }
            } else {
              dates[uid] = date
            }
          }
          continue
        }
        guard let uid = fields.uid else {
          throw IMAPError.protocolViolation("FETCH of a body without its UID")
        }
        guard sizes[uid] != nil else { continue }
        arrived.append(
          IMAPFetchedMessage(
            uid: uid, size: fields.size ?? sizes[uid] ?? body.count,
            internalDate: fields.internalDate ?? dates.removeValue(forKey: uid),
            bytes: body, headersOnly: fields.headersOnly, unfetchable: fields.bodyNil))
      case .tagged(let tag, let status):
        let plan = pending[pendingStart]
        guard tag == plan.tag else { throw unexpectedTag(tag) }
        pendingStart += 1
        if pendingStart > 64 {
          pending.removeFirst(pendingStart)
          pendingStart = 0
        }
        let ready = Self.take(plan, from: &arrived)
        if status.status != .ok && stopError == nil {
          // One bad letter must not stop the mailbox for good: what came is taken, the rest
          // is asked for again alone. `BAD` too: Exchange answers a letter it cannot convert
          // `BAD Command Argument Error. 11`, and the same command then fails for ever; a
          // `BAD` about the command itself comes again for the first letter asked alone, and
          // fails the pass there.
          let got = Set(ready.map(\.uid))
          refused += plan.uids.filter { !got.contains($0) }.map { ($0, plan.headersOnly) }
        }
        if stopError == nil && status.status == .ok && ready.count < plan.uids.count {
          // An OK without some letters of the set: expunged meanwhile, or a server that
          // skipped them. Checked once the pipeline is drained (below).
          let got = Set(ready.map(\.uid))
          missing += plan.uids.filter { !got.contains($0) }
        }
        if stopError == nil {
          do {
            for message in ready { try handler(message) }
          } catch {
            stopError = error
          }
        }
        try issue()
      default:
        continue
      }
    }
    if let stopError { throw stopError }
    // A refused letter asked alone: one still refused, and still in the folder, is handed
    // over without bytes, as a `BODY[] NIL` is (kept, seen by a person, never blocking the
    // others).
    // A server that ends the session when asked again (Dovecot's `imap_fetch_failure =
    // no-after`) gets no more questions: the rest are handed over without bytes too, and the
    // client is no longer connected.
    for (uid, headersOnly) in refused {
      let section = headersOnly ? "BODY.PEEK[HEADER]" : "BODY.PEEK[]"
      var single: IMAPFetchedMessage?
      if !sessionOver {
        do {
          try execute("UID FETCH \(uid) (UID RFC822.SIZE INTERNALDATE \(section))") { response in
            guard case .fetch(let fields) = response, fields.uid == uid, let body = fields.body
            else { return }
            single = IMAPFetchedMessage(
              uid: uid, size: fields.size ?? sizes[uid] ?? body.count,
              internalDate: fields.internalDate, bytes: body, headersOnly: fields.headersOnly,
              unfetchable: fields.bodyNil)
          }
        } catch let error as IMAPError where error.refusesLetters {
          single = nil
        } catch IMAPError.bye, IMAPError.closed {
          sessionOver = true
        }
      }
      if let single {
        try handler(single)
      } else if sessionOver {
        try handler(.unfetchable(uid: uid, size: sizes[uid] ?? 0))
      } else {
        // Refused again, or answered with nothing: maybe expunged since the set was asked
        // for (Dovecot's `NO [EXPUNGEISSUED]`, Gmail's `NO Some messages could not be
        // FETCHed`). Only a letter the folder still has is handed over without bytes.
        missing.append(uid)
      }
    }
    // Letters the folder still has but whose body did not come are handed over without bytes
    // (as a `BODY[] NIL` is): never passed over silently, never blocking the letters after
    // them. Letters expunged meanwhile are simply gone. With the session over nobody is left
    // to ask which are still there: all are handed over, and a later pass asks again.
    if !missing.isEmpty {
      let unfetched = sessionOver ? Array(Set(missing)).sorted() : try present(missing)
      for uid in unfetched { try handler(.unfetchable(uid: uid, size: sizes[uid] ?? 0)) }
    }
  }

  /// The arrived letters that belong to `plan`, in UID order, each once; the rest stay.
  private static func take(_ plan: FetchPlan, from arrived: inout [IMAPFetchedMessage])
    -> [IMAPFetchedMessage]
  {
    guard let first = plan.uids.first, let last = plan.uids.last else { return [] }
    let contiguous = plan.uids.count == Int(last - first) + 1
    let belongs = { (message: IMAPFetchedMessage) -> Bool in
      guard message.uid >= first && message.uid <= last else { return false }
      return contiguous || Self.contains(plan.uids, message.uid)
    }
    var ready: [IMAPFetchedMessage]
    if arrived.allSatisfy(belongs) {
      ready = arrived
      arrived.removeAll(keepingCapacity: true)
    } else {
      ready = arrived.filter(belongs)
      arrived.removeAll(where: belongs)
    }
    var ordered = true
    for index in ready.indices.dropFirst() where ready[index - 1].uid >= ready[index].uid {
      ordered = false
      break
    }
    if !ordered {
      ready.sort { $0.uid < $1.uid }
      var seen = Set<UInt32>()
      ready.removeAll { !seen.insert($0.uid).inserted }
    }
    if ready.contains(where: { $0.headersOnly != plan.headersOnly }) {
      ready.removeAll { $0.headersOnly != plan.headersOnly }
    }
    return ready
  }

  private static func contains(_ sorted: [UInt32], _ uid: UInt32) -> Bool {
    var low = 0
    var high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle] < uid { low = middle + 1 } else { high = middle }
    }
    return low < sorted.count && sorted[low] == uid
  }
}
