import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Stores a messenger message inside the ingest transaction (design.md, "Statuses"): within
  /// the window after the conversation's latest message it is appended to that inquiry's
  /// `messages[]` while the inquiry is `new`; once that inquiry was decided, it starts a new one
  /// with `thread.inquiry_id` pointing back, however long after (the client answering the
  /// manager an hour later, or ordering again next month, continues that conversation, as a
  /// reply in an e-mail thread does); after the window of an undecided one, a new inquiry.
  static func applyConversation(
    _ conversation: ConversationReference, draft: Inquiry, raw: inout RawItemRecord,
    files: [UploadedFile], settings: DirectorySettings, in db: Database
  ) throws -> IngestResult {
    let found = try conversationTarget(conversation, in: db)
    let undecided = found?.target.status == InquiryStatus.new.rawValue
    if let found, undecided, found.withinWindow {
      return try appendMessage(
        draft, to: found.target.id, conversation: conversation, raw: &raw, files: files,
        settings: settings, in: db)
    }
    let decided = undecided ? nil : found?.target
    let result = try insertInquiry(
      draft, raw: &raw, files: files, settings: settings, thread: decided, in: db)
    if case .created(let id, _) = result {
      try db.execute(
        sql: "UPDATE inquiries SET conversation_key = ?, last_message_at = ? WHERE id = ?",
        arguments: [conversation.key, conversation.at.timeIntervalSince1970, id])
    }
    return result
  }

  /// The conversation's latest inquiry — by its latest message, so that an old message made an
  /// inquiry by `inlet replay` does not pass for the newest — (a merged one lives on in the one
  /// it went into), and whether the message is within the window of that message, before or
  /// after it (a message from long before — one replayed months later, a delivery that came
  /// very late — is no part of today's conversation).
  static func conversationTarget(_ conversation: ConversationReference, in db: Database) throws
    -> (target: ThreadTarget, withinWindow: Bool)?
  {
    func latest(_ key: String) throws -> Row? {
      try Row.fetchOne(
        db,
        sql: """
          SELECT id, status, merged_into, acceptance, last_message_at FROM inquiries
          WHERE conversation_key = ? ORDER BY last_message_at DESC, id DESC LIMIT 1
          """,
        arguments: [key])
    }
    // A conversation stored before its definition scoped keys is found by the key it had.
    guard
      let row = try latest(conversation.key)
        ?? conversation.unscopedKey.flatMap({ try latest($0) })
    else { return nil }
    let last: Double? = row["last_message_at"]
    let within = last.map { abs(conversation.at.timeIntervalSince1970 - $0) <= conversation.window }
    return (try threadTarget(row, in: db), within ?? false)
  }

  /// A continuation's contact details the inquiry lacked (a phone shared later in a chat, the
  /// INN in a reply's requisites) are added to it, and it is matched again.
  /// `merged`: the manager said the two are one lead (a merge), so a different e-mail address
  /// is the same person's other one, not a colleague's.
  @discardableResult
  static func fillMissingDetails(
    of inquiryID: Int64, from draft: Inquiry, settings: DirectorySettings,
    text fillText: Bool = true,
    merged: Bool = false, in db: Database
  ) throws -> Bool {
    guard var record = try InquiryRecord.fetchOne(db, key: inquiryID) else { return false }
    var inquiry = try InquiryJSON.decodeStored(record.document)
    // Someone else in the thread (a colleague answering all) speaks for themselves.
    if !merged, let theirs = draft.sender.email, let ours = inquiry.sender.email, theirs != ours {
      return false
    }
    var sender = inquiry.sender
    if sender.phone == nil { sender.phone = draft.sender.phone }
    if sender.email == nil { sender.email = draft.sender.email }
    if sender.name == nil { sender.name = draft.sender.name }
    if sender.messenger == nil { sender.messenger = draft.sender.messenger }
    var company = inquiry.company
    if company?.inn == nil, let inn = draft.company?.inn {
      company = Inquiry.Company(name: company?.name ?? draft.company?.name, inn: inn)
    } else if company?.name == nil, let name = draft.company?.name {
      company = Inquiry.Company(name: name, inn: company?.inn)
    }
    var changed = false
    if sender != inquiry.sender || company != inquiry.company {
      inquiry.sender = sender
      inquiry.company = company
      try applyMatch(to: &inquiry, settings: settings, storedAs: inquiryID, in: db)
      record.senderPhone = sender.phone
      record.senderEmail = sender.email
      record.senderMessenger = InquiryRecord.messengerKey(sender)
      record.companyINN = company?.inn
      changed = true
    }
    if fillText, inquiry.text == nil, let text = draft.text {
      inquiry.text = text
      changed = true
    }
    if changed {
      record.document = String(decoding: inquiry.jsonBytes, as: UTF8.self)
      try record.update(db)
    }
    return changed
  }

  /// Appends the message to a `new` inquiry. A contact detail the inquiry lacked (a phone
  /// number shared later in the chat) is added first and the inquiry matched again, so the
  /// `inquiry.updated` event carries it.
  private static func appendMessage(
    _ draft: Inquiry, to inquiryID: Int64, conversation: ConversationReference,
    raw: inout RawItemRecord, files: [UploadedFile], settings: DirectorySettings,
    in db: Database
  ) throws -> IngestResult {
    try fillMissingDetails(of: inquiryID, from: draft, settings: settings, in: db)
    // Both the inquiry it joins and the conversation's own latest inquiry (they differ once
    // that one was merged into another): the window runs from this message for either. A
    // merge target that never was a conversation has no time yet (SQLite's MAX of a NULL is
    // NULL).
    try db.execute(
      sql: """
        UPDATE inquiries SET last_message_at = MAX(COALESCE(last_message_at, 0), ?)
        WHERE id = ? OR id = (
          SELECT id FROM inquiries WHERE conversation_key = ?
          ORDER BY last_message_at DESC, id DESC LIMIT 1)
        """,
      arguments: [conversation.at.timeIntervalSince1970, inquiryID, conversation.key])
    try appendContinuation(
      to: inquiryID, raw: &raw, text: draft.text, receivedAt: draft.receivedAt, files: files,
      in: db)
    return .updated(inquiryID: String(inquiryID), rawID: String(raw.id!))
  }
}
