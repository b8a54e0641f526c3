import Foundation
import GRDB
import InletCore

/// What promoting a kept raw item did.
public enum PromoteOutcome: Sendable, Equatable {
  /// The item is now an inquiry in the queue (`inquiry.created` recorded).
  case created(Inquiry)
  /// The item was promoted already (a retry), or its own retry made an inquiry meanwhile
  /// (a request refused over a rate limit, then taken): that inquiry.
  case existing(Inquiry)
  /// The item made or joined an inquiry on arrival or by `inlet replay`: nothing to promote.
  case inquiryAlready(id: String)
  /// No raw item with that id.
  case notFound
  /// Nothing a manager could work with was read from the item (a letter that could not be
  /// parsed at all), or it is no kept item; `status` is the item's.
  case nothingToPromote(status: String)
}

/// A kept raw item read again for its promotion.
public struct KeptReading: Sendable {
  /// The attachments in its bytes (an item kept as noise had none stored).
  public var files: [UploadedFile]
  /// Its idempotency key as its channel computes it now: an item refused over a rate limit was
  /// kept without one, so that the provider's retry was taken.
  public var idempotencyKey: String?

  public init(files: [UploadedFile] = [], idempotencyKey: String? = nil) {
    self.files = files
    self.idempotencyKey = idempotencyKey
  }
}

extension InletDatabase {
  /// How a promoted item's `reason` starts.
  static let promotedPrefix = "promoted by "

  /// Makes an ignored or quarantined raw item an inquiry — the manager's answer to a lead
  /// misread as noise (an auto-reply header on a real letter, a visitor who filled the form
  /// faster than `min_fill_seconds`): what was read from it, matched as any new inquiry, in
  /// one transaction with its event. The item keeps its bytes and records who promoted it and
  /// what it had been; `inlet replay` leaves the inquiry alone afterwards, as it does any
  /// item's own inquiry whose new reading is no lead. `files` are the attachments read again
  /// from the item's bytes (an item kept as noise had none stored); a thread or conversation
  /// link it never had stays out. `idempotencyKey` is the item's key as its channel computes
  /// it (``KeptReading``): an item refused over a rate limit whose retry was taken since is
  /// that retry's lead, not a second one; promoted first, it takes the key, so that its retry
  /// is answered as a duplicate of it.
  public func promote(
    rawID: Int64, by token: String, files: [UploadedFile] = [], idempotencyKey: String? = nil
  ) async throws -> PromoteOutcome {
    let settings = directorySettings
    return try await write { db in
      guard var raw = try RawItemRecord.fetchOne(db, key: rawID) else { return .notFound }
      if let inquiryID = raw.inquiryID {
        guard raw.reason?.hasPrefix(Self.promotedPrefix) == true,
          let record = try InquiryRecord.fetchOne(db, key: inquiryID)
        else { return .inquiryAlready(id: String(inquiryID)) }
        return .existing(try Self.assemble(record, in: db))
      }
      let kept = [RawItemStatus.ignored.rawValue, RawItemStatus.quarantined.rawValue]
      var takesKey = false
      if kept.contains(raw.status), raw.idempotencyKey == nil, let idempotencyKey {
        if let holder = try Self.keyHolder(idempotencyKey, other: rawID, in: db) {
          if let inquiryID = holder.inquiryID,
            let record = try InquiryRecord.fetchOne(db, key: inquiryID)
          {
            // Its retry was taken: this attempt is that lead's (a second promotion finds it).
            raw.inquiryID = inquiryID
            raw.reason =
              "\(Self.promotedPrefix)\(token) from \(raw.status): its retry, raw item "
              + "\(holder.rawID), made inquiry \(inquiryID)" + (raw.reason.map { "; \($0)" } ?? "")
            try raw.update(db, columns: ["inquiry_id", "reason"])
            return .existing(try Self.assemble(record, in: db))
          }
        } else {
          takesKey = true
        }
      }
      guard kept.contains(raw.status), let extracted = raw.extracted,
        var draft = try? InquiryJSON.decodeStored(extracted),
        Self.holdsAnything(draft)
      else { return .nothingToPromote(status: raw.status) }
      draft.id = ""
      draft.status = InquiryStatus.new.rawValue
      draft.reason = nil
      draft.receivedAt = raw.receivedAt
      raw.reason =
        "\(Self.promotedPrefix)\(token) from \(raw.status)" + (raw.reason.map { ": \($0)" } ?? "")
      raw.status = RawItemStatus.normalised.rawValue
      if takesKey { raw.idempotencyKey = idempotencyKey }
      try raw.update(db, columns: ["status", "reason", "idempotency_key"])
      let result = try Self.insertInquiry(
        draft, raw: &raw, files: files, settings: settings, in: db)
      guard case .created(let id, _) = result, let inquiryID = Int64(id) else {
        throw DatabaseError(message: "a promoted item's inquiry was not created: \(result)")
      }
      guard let record = try InquiryRecord.fetchOne(db, key: inquiryID) else {
        throw DatabaseError(message: "a promoted item's inquiry \(inquiryID) is missing")
      }
      return .created(try Self.assemble(record, in: db))
    }
  }

  /// Whether a kept item's reading holds anything a manager could act on: a sender's detail,
  /// a text or subject, a company, a call or other fields. (`{}` kept as `missing_fields` holds
  /// none: promoted, it was an empty lead the channel's own `require_any` had refused.)
  static func holdsAnything(_ draft: Inquiry) -> Bool {
    let sender = draft.sender
    let texts =
      [sender.name, sender.email, sender.phone, draft.text, draft.subject]
      + [draft.company?.name, draft.company?.inn]
    return texts.contains { !($0 ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
      || sender.messenger?.id != nil || draft.call != nil || !draft.extra.isEmpty
  }

  /// A raw item as stored (its bytes and transport), or nil.
  public func rawItem(id: Int64) async throws -> RawItemRecord? {
    try await read { db in try RawItemRecord.fetchOne(db, key: id) }
  }
}
