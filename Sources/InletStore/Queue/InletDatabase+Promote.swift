import Foundation
import GRDB
import InletCore

/// What promoting a kept raw item did.
public enum PromoteOutcome: Sendable, Equatable {
  /// The item is now an inquiry in the queue (`inquiry.created` recorded).
  case created(Inquiry)
  /// The item had made (or joined) an inquiry already — a retry, or `inlet replay` came first.
  case existing(Inquiry)
  /// No raw item with that id.
  case notFound
  /// Nothing a manager could work with was read from the item (a letter that could not be
  /// parsed at all), or it is no kept item; `status` is the item's.
  case nothingToPromote(status: String)
}

extension InletDatabase {
  /// Makes an ignored or quarantined raw item an inquiry — the manager's answer to a lead
  /// misread as noise (an auto-reply header on a real letter, a visitor who filled the form
  /// faster than `min_fill_seconds`): what was read from it, matched as any new inquiry, in
  /// one transaction with its event. The item keeps its bytes and records who promoted it and
  /// what it had been; `inlet replay` leaves the inquiry alone afterwards, as it does any
  /// item's own inquiry whose new reading is no lead.
  public func promote(rawID: Int64, by token: String) async throws -> PromoteOutcome {
    let settings = directorySettings
    return try await write { db in
      guard var raw = try RawItemRecord.fetchOne(db, key: rawID) else { return .notFound }
      if let inquiryID = raw.inquiryID, let record = try InquiryRecord.fetchOne(db, key: inquiryID)
      {
        return .existing(try Self.assemble(record, in: db))
      }
      let kept = [RawItemStatus.ignored.rawValue, RawItemStatus.quarantined.rawValue]
      guard kept.contains(raw.status), let extracted = raw.extracted,
        var draft = try? InquiryJSON.decoder().decode(Inquiry.self, from: Data(extracted.utf8))
      else { return .nothingToPromote(status: raw.status) }
      draft.id = ""
      draft.status = InquiryStatus.new.rawValue
      draft.reason = nil
      draft.receivedAt = raw.receivedAt
      raw.reason = "promoted by \(token) from \(raw.status)" + (raw.reason.map { ": \($0)" } ?? "")
      raw.status = RawItemStatus.normalised.rawValue
      try raw.update(db, columns: ["status", "reason"])
      let result = try Self.insertInquiry(
        draft, raw: &raw, files: [], settings: settings, in: db)
      guard case .created(let id, _) = result, let inquiryID = Int64(id) else {
        throw DatabaseError(message: "a promoted item's inquiry was not created: \(result)")
      }
      // Files kept with the item on arrival go with it.
      try db.execute(
        sql: "UPDATE attachments SET inquiry_id = ? WHERE raw_id = ? AND inquiry_id IS NULL",
        arguments: [inquiryID, rawID])
      guard let record = try InquiryRecord.fetchOne(db, key: inquiryID) else {
        throw DatabaseError(message: "a promoted item's inquiry \(inquiryID) is missing")
      }
      return .created(try Self.assemble(record, in: db))
    }
  }
}
