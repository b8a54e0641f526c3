import Foundation
import GRDB
import InletCore

extension InletDatabase {
  /// Applies a decision to inquiry `id` in one transaction with its event and outbox rows.
  public func apply(_ transition: Transition, to id: String, by token: String) async throws
    -> TransitionOutcome
  {
    let now = Date()
    return try await write { db in try Self.apply(transition, to: id, by: token, at: now, in: db) }
  }

  static func apply(
    _ transition: Transition, to id: String, by token: String, at now: Date, in db: Database
  ) throws -> TransitionOutcome {
    guard let key = Int64(id), let record = try InquiryRecord.fetchOne(db, key: key) else {
      return .notFound
    }
    let current = try assemble(record, in: db)
    if record.status != InquiryStatus.new.rawValue {
      if record.status == transition.status.rawValue, let existing = current.acceptance,
        transition.isRepeat(of: existing)
      {
        return .unchanged(current)
      }
      return .conflict(
        "inquiry \(id) is already `\(record.status)`; only a `new` inquiry can be "
          + "\(verb(transition))")
    }
    var mergedInto: Int64?
    if case .merge(let into) = transition {
      guard let target = Int64(into), let targetRecord = try InquiryRecord.fetchOne(db, key: target)
      else { return .targetNotFound }
      if target == key { return .conflict("an inquiry cannot be merged into itself") }
      if targetRecord.status == InquiryStatus.merged.rawValue {
        return .conflict("inquiry \(into) was itself merged; merge into the one it went into")
      }
      mergedInto = target
    }
    let acceptance = transition.acceptance(by: token, at: now)
    var document = try InquiryJSON.decoder().decode(
      Inquiry.self, from: Data(record.document.utf8))
    document.acceptance = acceptance
    document.status = transition.status.rawValue
    let encoder = InquiryJSON.encoder()
    try db.execute(
      sql: """
        UPDATE inquiries SET status = ?, document = ?, acceptance = ?, merged_into = ?,
          updated_at = ? WHERE id = ?
        """,
      arguments: [
        transition.status.rawValue, String(decoding: try encoder.encode(document), as: UTF8.self),
        String(decoding: try encoder.encode(acceptance), as: UTF8.self), mergedInto,
        now.timeIntervalSince1970, key,
      ])
    try recordChange(.updated, inquiryID: key, in: db)
    guard let updated = try InquiryRecord.fetchOne(db, key: key) else { return .notFound }
    return .changed(try assemble(updated, in: db))
  }

  private static func verb(_ transition: Transition) -> String {
    switch transition {
    case .accept: return "accepted"
    case .reject: return "rejected"
    case .merge: return "merged"
    }
  }
}
