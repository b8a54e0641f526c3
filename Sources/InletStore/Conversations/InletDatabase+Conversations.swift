import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Stores a messenger message inside the ingest transaction (design.md, "Statuses"): within
  /// the window after the conversation's latest message it is appended to that inquiry's
  /// `messages[]` while the inquiry is `new`; once that inquiry was decided, it starts a new one
  /// with `thread.inquiry_id` pointing back; after the window, a new inquiry.
  static func applyConversation(
    _ conversation: ConversationReference, draft: Inquiry, raw: inout RawItemRecord,
    files: [UploadedFile], settings: DirectorySettings, in db: Database
  ) throws -> IngestResult {
    let latest = try Row.fetchOne(
      db,
      sql: """
        SELECT id, status, last_message_at, merged_into FROM inquiries
        WHERE conversation_key = ? ORDER BY id DESC LIMIT 1
        """,
      arguments: [conversation.key])
    var draft = draft
    if let latest, let last: Double = latest["last_message_at"],
      conversation.at.timeIntervalSince1970 - last <= conversation.window
    {
      var earlierID: Int64 = latest["id"]
      var status: String = latest["status"]
      // A merged inquiry lives on in the one it went into.
      if status == InquiryStatus.merged.rawValue, let into: Int64 = latest["merged_into"],
        let target = try String.fetchOne(
          db, sql: "SELECT status FROM inquiries WHERE id = ?", arguments: [into])
      {
        earlierID = into
        status = target
      }
      if status == InquiryStatus.new.rawValue {
        return try appendMessage(
          draft, to: earlierID, conversation: conversation, raw: &raw, settings: settings, in: db)
      }
      draft.thread = Inquiry.Thread(inquiryID: String(earlierID))
      let result = try insertThreaded(
        draft, earlier: earlierID, raw: &raw, files: files, settings: settings, in: db)
      try mark(result, conversation: conversation, in: db)
      return result
    }
    let result = try insertInquiry(draft, raw: &raw, files: files, settings: settings, in: db)
    try mark(result, conversation: conversation, in: db)
    return result
  }

  /// A new inquiry continuing a decided one: after an acceptance with an interest, the
  /// suggestion is an interaction on that interest.
  private static func insertThreaded(
    _ draft: Inquiry, earlier: Int64, raw: inout RawItemRecord, files: [UploadedFile],
    settings: DirectorySettings, in db: Database
  ) throws -> IngestResult {
    let result = try insertInquiry(draft, raw: &raw, files: files, settings: settings, in: db)
    guard case .created(let id, _) = result, let newID = Int64(id),
      let text = try String.fetchOne(
        db, sql: "SELECT acceptance FROM inquiries WHERE id = ?", arguments: [earlier]),
      let acceptance = try? InquiryJSON.decoder().decode(
        Inquiry.Acceptance.self, from: Data(text.utf8)),
      let interest = acceptance.interestID
    else { return result }
    guard var record = try InquiryRecord.fetchOne(db, key: newID) else { return result }
    var inquiry = try InquiryJSON.decoder().decode(Inquiry.self, from: Data(record.document.utf8))
    inquiry.match.suggestedAction = .interactionOnInterest
    if inquiry.match.clientID == nil { inquiry.match.clientID = acceptance.clientID }
    if inquiry.match.contactID == nil { inquiry.match.contactID = acceptance.contactID }
    if !inquiry.match.interestIDs.contains(interest) {
      inquiry.match.interestIDs.insert(interest, at: 0)
    }
    record.document = String(decoding: try InquiryJSON.encoder().encode(inquiry), as: UTF8.self)
    try record.update(db)
    // The `created` event was recorded with the plain match; tell consumers the suggestion.
    try recordChange(.updated, inquiryID: newID, in: db)
    return result
  }

  /// Appends the message to a `new` inquiry; a contact detail the inquiry lacked (a phone
  /// number shared later in the chat) is added and the inquiry matched again.
  private static func appendMessage(
    _ draft: Inquiry, to inquiryID: Int64, conversation: ConversationReference,
    raw: inout RawItemRecord, settings: DirectorySettings, in db: Database
  ) throws -> IngestResult {
    let rawID = raw.id!
    var message = InquiryMessageRecord(
      id: nil, inquiryID: inquiryID, rawID: rawID, receivedAt: draft.receivedAt,
      text: draft.text)
    try message.insert(db)
    raw.inquiryID = inquiryID
    try raw.update(db, columns: ["inquiry_id"])

    if var record = try InquiryRecord.fetchOne(db, key: inquiryID) {
      var inquiry = try InquiryJSON.decoder().decode(
        Inquiry.self, from: Data(record.document.utf8))
      var changed = false
      var sender = inquiry.sender
      if sender.phone == nil, let phone = draft.sender.phone {
        sender.phone = phone
        changed = true
      }
      if sender.email == nil, let email = draft.sender.email {
        sender.email = email
        changed = true
      }
      if sender.name == nil, let name = draft.sender.name {
        sender.name = name
        changed = true
      }
      if changed {
        inquiry.sender = sender
        try applyMatch(to: &inquiry, settings: settings, in: db)
        record.senderPhone = sender.phone
        record.senderEmail = sender.email
      }
      if inquiry.text == nil, let text = draft.text {
        inquiry.text = text
        changed = true
      }
      if changed {
        record.document = String(
          decoding: try InquiryJSON.encoder().encode(inquiry), as: UTF8.self)
      }
      record.updatedAt = draft.receivedAt
      try record.update(db)
    }
    try db.execute(
      sql: "UPDATE inquiries SET last_message_at = MAX(last_message_at, ?) WHERE id = ?",
      arguments: [conversation.at.timeIntervalSince1970, inquiryID])
    try recordChange(.updated, inquiryID: inquiryID, in: db)
    return .updated(inquiryID: String(inquiryID), rawID: String(rawID))
  }

  private static func mark(
    _ result: IngestResult, conversation: ConversationReference, in db: Database
  ) throws {
    guard case .created(let id, _) = result else { return }
    try db.execute(
      sql: "UPDATE inquiries SET conversation_key = ?, last_message_at = ? WHERE id = ?",
      arguments: [conversation.key, conversation.at.timeIntervalSince1970, id])
  }
}
