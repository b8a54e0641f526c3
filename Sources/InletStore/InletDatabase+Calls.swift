import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Applies a call event inside the ingest transaction: merges it into the call's record and
  /// creates the call's one inquiry (inbound calls, or the directions the instance's
  /// `call_inquiries` option lists) or updates it.
  static func applyCall(
    _ event: CallEvent, draft: Inquiry, raw: inout RawItemRecord, options: [String: Value],
    settings: DirectorySettings, in db: Database
  ) throws -> IngestResult {
    let rawID = raw.id!
    let stored = try db.queryFirstDirect(
      db.cachedStatement(
        sql: "SELECT record, inquiry_id FROM calls WHERE channel = ? AND call_id = ?")
    ) { bind in
      try bind.text(1, raw.channel)
      try bind.text(2, event.callID)
    } row: { row in
      (record: row.text(0), inquiryID: row.integer(1))
    }
    var record: CallRecord
    var directionBefore: String?
    var changed = true
    if let text = stored?.record {
      record = try InquiryJSON.decoder().decode(CallRecord.self, from: Data(text.utf8))
      directionBefore = record.direction
      changed = record.apply(event)
    } else {
      record = CallRecord(first: event)
    }
    var inquiryID: Int64? = stored?.inquiryID
    var created = false

    let directions = callDirections(options)
    let updated = try inquiryID.map {
      try updateInquiry($0, with: record, at: event.receivedAt, settings: settings, in: db)
    }
    if updated == true, let inquiryID, let direction = record.direction,
      !directions.contains(direction), directionBefore.map(directions.contains) ?? true
    {
      // The call made an inquiry as one the instance queues, and it was not: it ended before
      // any event stated its direction (MegaFon's COMPLETED overtaking its OUTGOING), or the
      // provider's own summary corrected what its legs said (Mango's click-to-call rings the
      // employee first, a leg that looks incoming). One nobody decided yet is rejected by
      // inlet, so the queue and the CRM hear it is no lead (a decided one is left as the
      // manager decided it: the transition is then refused).
      _ = try apply(
        .reject(
          reason: "not_a_lead",
          comment: "the call was \(direction == "out" ? "outgoing" : direction); "
            + (directionBefore == nil
              ? "its direction came after its end" : "the provider's summary said so")),
        to: String(inquiryID), by: "inlet", at: event.receivedAt, settings: settings, in: db)
    }
    if updated != true, record.makesInquiry(directions: directions) {
      var inquiry = draft
      record.update(&inquiry)
      // Matched by the caller's number, like every new inquiry.
      try applyMatch(to: &inquiry, settings: settings, in: db)
      created = true
      if inquiry.messages.isEmpty {
        // The usual case: the inquiry encoded once for its row and its event, the raw item
        // linked to it.
        let result = try insertEncodedOnce(inquiry, raw: &raw, in: db)
        guard case .created(let id, _) = result, let id = Int64(id) else {
          throw DatabaseError(message: "a call's inquiry was not created: \(result)")
        }
        inquiryID = id
      } else {
        inquiryID = try insertInquiry(inquiry, rawID: rawID, in: db)
      }
    }

    let encoded = record.jsonBytes
    try db.executeDirect(
      db.cachedStatement(
        sql: """
          INSERT INTO calls (channel, call_id, record, inquiry_id, updated_at, open, raw_id)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (channel, call_id) DO UPDATE SET record = excluded.record,
            inquiry_id = excluded.inquiry_id, updated_at = excluded.updated_at,
            open = excluded.open, raw_id = excluded.raw_id
          """)
    ) { bind in
      try bind.text(1, raw.channel)
      try bind.text(2, event.callID)
      try bind.text(3, utf8: encoded)
      try bind.integer(4, inquiryID)
      try bind.real(5, event.receivedAt.timeIntervalSince1970)
      try bind.integer(6, record.state.isFinal ? 0 : 1)
      try bind.integer(7, rawID)
    }
    // An outgoing call's end (and what a later summary adds to it: the answer, the duration)
    // is noted on the callee's queued inquiries.
    if changed, record.state.isFinal, record.direction == "out", record.stateless != true,
      let phone = record.callerPhone
    {
      try noteCallback(
        record, channel: raw.channel, to: phone, except: inquiryID, at: event.receivedAt, in: db)
    }
    guard let inquiryID else { return .kept(rawID: String(rawID), status: .normalised) }
    if raw.inquiryID != inquiryID { try raw.link(to: inquiryID, db) }
    return created
      ? .created(inquiryID: String(inquiryID), rawID: String(rawID))
      : .updated(inquiryID: String(inquiryID), rawID: String(rawID))
  }

  /// The most inquiries one outgoing call is noted on (the newest): a number with more `new`
  /// inquiries than that is a shared one.
  static let callbackLimit = 20

  /// An outgoing call to `phone` ended: each `new` inquiry from that number that came before
  /// the call started (a missed call, a «перезвоните мне» form) lists it in `callbacks`, with
  /// an `inquiry.updated` event — the queue shows who was called back, when, by whom, and
  /// whether they picked up. A later event of the same call (the summary after the legs'
  /// end) corrects its entry; one that changes nothing writes nothing. `own` is the call's own
  /// inquiry (outgoing calls queued by `call_inquiries`), not noted.
  static func noteCallback(
    _ record: CallRecord, channel: String, to phone: String, except own: Int64?, at now: Date,
    in db: Database
  ) throws {
    // Compared on this daemon's clock (when the call's first event came): a PBX whose clock
    // is behind must not leave a missed call "not called back". The call's record keeps that
    // time to the second, hence the second's grace.
    let started = record.startedAt ?? record.firstEventAt
    let ids = try Int64.fetchAll(
      db,
      sql: """
        SELECT id FROM inquiries WHERE sender_phone = ? AND status = 'new' AND received_at <= ?
          AND id IS NOT ? ORDER BY id DESC LIMIT ?
        """,
      arguments: [phone, record.firstEventAt.addingTimeInterval(1), own, callbackLimit])
    let callback = Inquiry.Callback(
      channel: channel, callID: record.callID, at: started, answered: record.answered,
      employee: record.employee, durationS: record.durationS)
    for id in ids.reversed() {
      try rewriteInquiry(id, at: now, in: db) { inquiry, _ in
        var callbacks = inquiry.callbacks ?? []
        if let index = callbacks.firstIndex(where: {
          $0.channel == channel && $0.callID == record.callID
        }) {
          guard callbacks[index] != callback else { return false }
          callbacks[index] = callback
        } else {
          callbacks.append(callback)
        }
        callbacks.sort { $0.at < $1.at }
        inquiry.callbacks = callbacks
        return true
      }
    }
  }

  /// Writes a call's facts into its stored inquiry, with an `inquiry.updated` event — none
  /// when they change nothing in it (a repeated or older event, a leg's own bookkeeping): the
  /// event stream and the CRM hear of changes only; false when there is no such inquiry.
  @discardableResult
  static func updateInquiry(
    _ id: Int64, with record: CallRecord, at now: Date, settings: DirectorySettings,
    in db: Database
  ) throws -> Bool {
    guard var stored = try InquiryRecord.fetchOne(db, key: id) else { return false }
    var inquiry = try InquiryJSON.decodeStored(stored.document)
    inquiry.status = stored.status
    let before = inquiry
    let hadPhone = inquiry.sender.phone != nil
    record.update(&inquiry)
    if inquiry == before { return true }
    // The caller's number came after the inquiry (an answer overtook the start event):
    // matched now, as it would have been from the start.
    if !hadPhone, inquiry.sender.phone != nil, stored.status == InquiryStatus.new.rawValue {
      try applyMatch(to: &inquiry, settings: settings, in: db)
    }
    inquiry.id = ""
    stored.kind = inquiry.kind.rawValue
    stored.senderPhone = inquiry.sender.phone
    stored.document = String(decoding: inquiry.jsonBytes, as: UTF8.self)
    stored.updatedAt = now
    try stored.update(db)
    _ = try recordChange(.updated, inquiryID: id, in: db)
    return true
  }

  /// Inserts a call's new inquiry for raw item `rawID`, with an `inquiry.created` event.
  static func insertInquiry(_ draft: Inquiry, rawID: Int64, in db: Database) throws -> Int64 {
    var inquiry = draft
    var stored = InquiryRecord(inquiry, rawID: rawID)
    try stored.insertCached(db)
    let id = stored.id!
    inquiry.id = String(id)
    inquiry.source.rawID = String(rawID)
    _ = try recordChange(.created, inquiry: inquiry, in: db)
    return id
  }

  /// A call the timeout closed; `created`: its inquiry was made by the closing (a call whose
  /// direction never came, counted inbound once it ended).
  public typealias ClosedCall = (channel: String, callID: String, created: Bool)

  /// Where a sweep of open calls has got to: (updated_at, channel, call id) of the last read.
  typealias OpenCallPosition = (updatedAt: Double, channel: String, callID: String)

  /// Closes the calls no event has ended within their channel's `call_timeout` (`timeout`
  /// gives it per channel, nil: never; `shortest` bounds the search), as
  /// ``CallRecord/closeUnended()`` says, and updates their inquiries: a hangup the provider
  /// never delivered must not leave a missed call looking like one still ringing. A call
  /// without an inquiry (an outgoing one) is closed in its record only; one whose direction
  /// no event stated counts as inbound now that it ended and makes its inquiry (`directions`
  /// per channel: `call_inquiries`). Returns the calls closed, as (channel, call id).
  ///
  /// Read and written `batch` calls per transaction (the webhooks sharing the writer wait for
  /// no more than that), oldest first: a database upgraded with many calls left open is
  /// closed over several transactions.
  public func closeUnendedCalls(
    now: Date = Date(), shortest: TimeInterval, batch: Int = 200,
    directions: @escaping @Sendable (_ channel: String) -> Set<String> = { _ in ["in"] },
    timeout: @escaping @Sendable (_ channel: String) -> TimeInterval?
  ) async throws -> [ClosedCall] {
    let settings = directorySettings
    let cutoff = now.addingTimeInterval(-shortest).timeIntervalSince1970
    var closed: [ClosedCall] = []
    // Calls looked at and left open (their channel's timeout is longer) are passed over.
    var after: OpenCallPosition = (-.infinity, "", "")
    while true {
      let start = after
      let (chunk, last, read) = try await write { db in
        try Self.closeUnendedCalls(
          after: start, before: cutoff, limit: batch, now: now, directions: directions,
          timeout: timeout, settings: settings, in: db)
      }
      closed += chunk
      guard read == batch, let last else { return closed }
      after = last
    }
  }

  /// One transaction of ``closeUnendedCalls(now:shortest:batch:directions:timeout:)``: the open calls
  /// after `after` in (updated_at, channel, call_id) order. Returns those closed, the last one
  /// read, and how many were read.
  static func closeUnendedCalls(
    after: OpenCallPosition, before cutoff: Double,
    limit: Int, now: Date, directions: (_ channel: String) -> Set<String>,
    timeout: (_ channel: String) -> TimeInterval?, settings: DirectorySettings, in db: Database
  ) throws -> (
    closed: [ClosedCall], last: OpenCallPosition?, read: Int
  ) {
    let candidates = try Row.fetchAll(
      db,
      sql: """
        SELECT channel, call_id, record, inquiry_id, updated_at, raw_id FROM calls
        WHERE open = 1 AND updated_at < ? AND (updated_at, channel, call_id) > (?, ?, ?)
        ORDER BY updated_at, channel, call_id LIMIT ?
        """,
      arguments: [cutoff, after.updatedAt, after.channel, after.callID, limit])
    var closed: [ClosedCall] = []
    var last: OpenCallPosition?
    for row in candidates {
      last = (row["updated_at"], row["channel"], row["call_id"])
      let channel: String = row["channel"]
      let callID: String = row["call_id"]
      let updatedAt: Double = row["updated_at"]
      guard let limit = timeout(channel), updatedAt < now.timeIntervalSince1970 - limit else {
        continue
      }
      let text: String = row["record"]
      var record = try InquiryJSON.decoder().decode(CallRecord.self, from: Data(text.utf8))
      record.closeUnended()
      var inquiryID: Int64? = row["inquiry_id"]
      var created = false
      if inquiryID == nil, let rawID: Int64 = row["raw_id"],
        record.makesInquiry(directions: directions(channel))
      {
        // Its direction never stated, the call counts as inbound now that it ended: a missed
        // call is never dropped for want of a direction.
        var inquiry = Inquiry(channel: channel, kind: .call, receivedAt: record.firstEventAt)
        inquiry.source.callID = callID
        record.update(&inquiry)
        try applyMatch(to: &inquiry, settings: settings, in: db)
        let id = try insertInquiry(inquiry, rawID: rawID, in: db)
        try db.execute(
          sql: "UPDATE raw_items SET inquiry_id = ? WHERE id = ? AND inquiry_id IS NULL",
          arguments: [id, rawID])
        inquiryID = id
        created = true
      } else if let id = inquiryID {
        try updateInquiry(id, with: record, at: now, settings: settings, in: db)
      }
      // An outgoing call whose hangup was lost still called the number back.
      if record.direction == "out", record.stateless != true, let phone = record.callerPhone {
        try noteCallback(record, channel: channel, to: phone, except: inquiryID, at: now, in: db)
      }
      try db.execute(
        sql: """
          UPDATE calls SET record = ?, open = 0, inquiry_id = ? WHERE channel = ? AND call_id = ?
          """,
        arguments: [String(decoding: record.jsonBytes, as: UTF8.self), inquiryID, channel, callID])
      closed.append((channel, callID, created))
    }
    return (closed, last, candidates.count)
  }

  /// The call directions that make inquiries: the instance option `call_inquiries` (default
  /// inbound only — outgoing and internal calls are recorded, not queued).
  public static func callDirections(_ options: [String: Value]) -> Set<String> {
    switch options["call_inquiries"] {
    case .array(let items): return Set(items.compactMap(\.text))
    case .string(let single): return [single]
    default: return ["in"]
    }
  }

  /// The merged state of a call (tests, `inlet status`).
  public func callRecord(channel: String, callID: String) throws -> CallRecord? {
    try readSync { db in
      guard
        let text = try String.fetchOne(
          db, sql: "SELECT record FROM calls WHERE channel = ? AND call_id = ?",
          arguments: [channel, callID])
      else { return nil }
      return try InquiryJSON.decoder().decode(CallRecord.self, from: Data(text.utf8))
    }
  }
}
