import Foundation
import GRDB
import InletCore

/// What re-normalising a stored raw item produced (`inlet replay`).
public enum ReplayOutcome: Sendable {
  /// A lead: a new inquiry for an unlinked item, new content for the item's own inquiry.
  /// `conversation`: the messenger conversation it belongs to, as on arrival.
  case inquiry(
    Inquiry, files: [UploadedFile], references: [String],
    conversation: ConversationReference? = nil)
  /// A call event (webhook items of telephony channels).
  case call(CallEvent, Inquiry, options: [String: Value])
  case ignored(reason: String, partial: Inquiry?)
  case quarantined(reason: String, partial: Inquiry?)
}

/// What `inlet replay` did to one raw item.
public enum ReplayResult: String, Sendable, CaseIterable {
  case created, continued, refreshed, unchanged, ignored, quarantined, skipped
  /// A call's event that makes no inquiry (an outgoing or internal call) joined its call.
  case recorded
  /// The same submission (its idempotency key) is another item's inquiry already — a request
  /// refused over a rate limit whose retry was taken: nothing created.
  case duplicate
  /// Storing it failed (the reason is reported); the run went on with the others.
  case failed
}

extension InletDatabase {
  /// The raw items to re-normalise: quarantined ones, or (`all`) every item.
  public func replayCandidates(all: Bool, after: Int64 = 0, limit: Int = 500) throws
    -> [RawItemRecord]
  {
    try readSync { db in
      var request = RawItemRecord.filter(RawItemRecord.Columns.id > after)
      if !all {
        request = request.filter(
          RawItemRecord.Columns.status == RawItemStatus.quarantined.rawValue)
      }
      return try request.order(RawItemRecord.Columns.id).limit(limit).fetchAll(db)
    }
  }

  /// Applies a replay to raw item `rawID` in one transaction. Idempotent: replaying the same
  /// item with the same code changes nothing the second time. `idempotencyKey` is the item's
  /// key as computed now: when another item holds it and has an inquiry, this one makes none.
  public func applyReplay(rawID: Int64, outcome: ReplayOutcome, idempotencyKey: String? = nil)
    async throws -> ReplayResult
  {
    let settings = directorySettings
    return try await write { db in
      guard var raw = try RawItemRecord.fetchOne(db, key: rawID) else { return .skipped }
      if raw.inquiryID == nil, let idempotencyKey, idempotencyKey != raw.idempotencyKey {
        switch outcome {
        case .inquiry, .call:
          if let holder = try Self.keyHolder(idempotencyKey, other: rawID, in: db) {
            // A call's event whose retry was taken is in its call already, inquiry or not.
            if case .call = outcome { return .duplicate }
            if holder.inquiryID != nil { return .duplicate }
          } else if raw.idempotencyKey == nil {
            // The item takes its key back, so that a second refused copy of the same
            // submission finds this one's inquiry.
            raw.idempotencyKey = idempotencyKey
            try raw.update(db, columns: ["idempotency_key"])
          }
        case .ignored, .quarantined:
          break
        }
      }
      if let inquiryID = raw.inquiryID {
        // Linked already: only the item that made the inquiry refreshes its content.
        guard case .inquiry(let draft, _, _, _) = outcome,
          var record = try InquiryRecord.fetchOne(db, key: inquiryID), record.rawID == rawID
        else { return .unchanged }
        var inquiry = try InquiryJSON.decodeStored(record.document)
        var refreshed = inquiry
        refreshed.subject = draft.subject
        refreshed.text = draft.text
        // What later messages added (a phone shared further on in a chat) stays: the item
        // replayed is only the first of them.
        var sender = draft.sender
        sender.email = sender.email ?? inquiry.sender.email
        sender.phone = sender.phone ?? inquiry.sender.phone
        sender.name = sender.name ?? inquiry.sender.name
        sender.messenger = sender.messenger ?? inquiry.sender.messenger
        refreshed.sender = sender
        if let found = draft.company {
          var company = inquiry.company ?? Inquiry.Company()
          company.name = found.name ?? company.name
          company.inn = found.inn ?? company.inn
          refreshed.company = company
        }
        refreshed.extra = draft.extra
        if inquiry.kind != .call, inquiry.kind != .missedCall { refreshed.kind = draft.kind }
        if refreshed.sender != inquiry.sender || refreshed.company != inquiry.company,
          record.status == InquiryStatus.new.rawValue
        {
          try Self.applyMatch(to: &refreshed, settings: settings, storedAs: inquiryID, in: db)
        }
        guard refreshed != inquiry else { return .unchanged }
        inquiry = refreshed
        record.document = String(decoding: inquiry.jsonBytes, as: UTF8.self)
        record.kind = inquiry.kind.rawValue
        record.senderEmail = inquiry.sender.email
        record.senderPhone = inquiry.sender.phone
        record.senderMessenger = InquiryRecord.messengerKey(inquiry.sender)
        record.companyINN = inquiry.company?.inn
        record.updatedAt = Date()
        try record.update(db)
        try Self.recordChange(.updated, inquiryID: inquiryID, in: db)
        return .refreshed
      }
      switch outcome {
      case .ignored(let reason, let partial), .quarantined(let reason, let partial):
        let status: RawItemStatus
        if case .ignored = outcome { status = .ignored } else { status = .quarantined }
        let extracted = partial.map { String(decoding: $0.jsonBytes, as: UTF8.self) }
        if raw.status == status.rawValue, raw.reason == reason, raw.extracted == extracted {
          return .unchanged
        }
        raw.status = status.rawValue
        raw.reason = reason
        raw.extracted = extracted
        try raw.update(db, columns: ["status", "reason", "extracted"])
        return status == .ignored ? .ignored : .quarantined
      case .call(let event, let draft, let options):
        // An event its call took on arrival (one of a call that makes no inquiry: the others
        // are linked to theirs) is in the call already; applied again it would be counted twice
        // and could move the call back. Only an event the call never had is applied.
        if raw.status == RawItemStatus.normalised.rawValue { return .unchanged }
        raw.status = RawItemStatus.normalised.rawValue
        raw.reason = nil
        try raw.update(db, columns: ["status", "reason"])
        switch try Self.applyCall(
          event, draft: draft, raw: &raw, options: options, settings: settings, in: db)
        {
        case .created: return .created
        case .updated: return .continued
        default: return .recorded
        }
      case .inquiry(var inquiry, let files, let references, let conversation):
        raw.status = RawItemStatus.normalised.rawValue
        raw.reason = nil
        raw.extracted = nil
        try raw.update(db, columns: ["status", "reason", "extracted"])
        // Files kept with the raw item on arrival are attached now; new ones are stored.
        let keptFiles =
          try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM attachments WHERE raw_id = ?", arguments: [rawID]) ?? 0
        if let conversation {
          // A messenger message joins its conversation as it would have on arrival.
          inquiry.receivedAt = raw.receivedAt
          let result = try Self.applyConversation(
            conversation, draft: inquiry, raw: &raw, files: keptFiles > 0 ? [] : files,
            settings: settings, in: db)
          if keptFiles > 0, let inquiryID = raw.inquiryID {
            try db.execute(
              sql: "UPDATE attachments SET inquiry_id = ? WHERE raw_id = ?",
              arguments: [inquiryID, rawID])
          }
          if case .updated = result { return .continued }
          return .created
        }
        // A letter is dated by its arrival in the mailbox (never after it was stored), also
        // for the thread it is looked up in; anything else by when it was stored.
        inquiry.receivedAt =
          raw.event == "letter" ? min(inquiry.receivedAt, raw.receivedAt) : raw.receivedAt
        let earlier = try Self.threadTarget(of: inquiry, references: references, in: db)
        if let earlier, earlier.status == InquiryStatus.new.rawValue {
          try Self.fillMissingDetails(of: earlier.id, from: inquiry, settings: settings, in: db)
          try Self.appendContinuation(
            to: earlier.id, raw: &raw, text: inquiry.text, receivedAt: inquiry.receivedAt,
            updatedAt: raw.receivedAt, files: keptFiles > 0 ? [] : files, in: db)
          return .continued
        }
        // A reply to a decided inquiry continues it, as on arrival.
        if let earlier { inquiry.thread = Inquiry.Thread(inquiryID: String(earlier.id)) }
        try Self.applyMatch(to: &inquiry, settings: settings, thread: earlier, in: db)
        var record = InquiryRecord(inquiry, rawID: rawID)
        try record.insert(db)
        let inquiryID = record.id!
        raw.inquiryID = inquiryID
        try raw.update(db, columns: ["inquiry_id"])
        if keptFiles > 0 {
          try db.execute(
            sql: "UPDATE attachments SET inquiry_id = ? WHERE raw_id = ?",
            arguments: [inquiryID, rawID])
        } else {
          _ = try Self.storeFiles(files, rawID: rawID, inquiryID: inquiryID, in: db)
        }
        try Self.recordChange(.created, inquiryID: inquiryID, in: db)
        return .created
      }
    }
  }

  /// The other raw item that holds `key` (a kept request's retry that was taken), with its
  /// inquiry; nil when none does.
  static func keyHolder(_ key: String, other rawID: Int64, in db: Database) throws
    -> (rawID: Int64, inquiryID: Int64?)?
  {
    try Row.fetchOne(
      db, sql: "SELECT id, inquiry_id FROM raw_items WHERE idempotency_key = ? AND id != ?",
      arguments: [key, rawID]
    ).map { ($0["id"], $0["inquiry_id"]) }
  }
}
