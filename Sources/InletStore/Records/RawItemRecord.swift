import Foundation
import GRDB
import InletCore

/// A row of the raw journal.
public struct RawItemRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "raw_items"

  public var id: Int64?
  public var channel: String
  public var event: String?
  /// ``TransportMetadata`` as JSON.
  public var transport: String
  public var body: Data
  public var idempotencyKey: String?
  public var receivedAt: Date
  public var status: String
  public var reason: String?
  /// Whatever could be extracted from an ignored or quarantined input (an inquiry as JSON).
  public var extracted: String?
  public var inquiryID: Int64?

  enum CodingKeys: String, CodingKey {
    case id, channel, event, transport, body
    case idempotencyKey = "idempotency_key"
    case receivedAt = "received_at"
    case status, reason, extracted
    case inquiryID = "inquiry_id"
  }

  public enum Columns {
    static let id = Column(CodingKeys.id)
    static let status = Column(CodingKeys.status)
    static let idempotencyKey = Column(CodingKeys.idempotencyKey)
    static let receivedAt = Column(CodingKeys.receivedAt)
  }

  /// Every column but the body, read as empty: what a listing shows of a raw item (an ignored
  /// letter's body may be 25 MB; a page holds up to 500 of them).
  static var listingColumns: [any SQLSelectable] {
    [
      Column("id"), Column("channel"), Column("event"), Column("transport"),
      SQL("x'' AS body"), Column("idempotency_key"), Column("received_at"), Column("status"),
      Column("reason"), Column("extracted"), Column("inquiry_id"),
    ]
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension RawItemRecord {
  /// A submission's row before it is stored: `pending`, no inquiry yet.
  init(pending submission: RawSubmission) {
    self.init(
      id: nil, channel: submission.channel, event: submission.event,
      transport: submission.transport.jsonText, body: Data(submission.body),
      idempotencyKey: submission.idempotencyKey, receivedAt: submission.receivedAt,
      status: RawItemStatus.pending.rawValue, reason: nil, extracted: nil, inquiryID: nil)
  }

  /// Inserts through one cached statement (the ingest hot path: no record encoding).
  mutating func insertCached(_ db: Database) throws {
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO raw_items (channel, event, transport, body, idempotency_key, received_at,
          status, reason, extracted, inquiry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    try db.executeDirect(statement) { bind in
      try bind.text(1, channel)
      try bind.text(2, event)
      try bind.text(3, transport)
      try bind.blob(4, body)
      try bind.text(5, idempotencyKey)
      try bind.text(6, StoredDate.text(receivedAt))
      try bind.text(7, status)
      try bind.text(8, reason)
      try bind.text(9, extracted)
      try bind.integer(10, inquiryID)
    }
    id = db.lastInsertedRowID
  }

  /// Links the item to its inquiry.
  mutating func link(to inquiryID: Int64, _ db: Database) throws {
    self.inquiryID = inquiryID
    try db.executeDirect(
      db.cachedStatement(sql: "UPDATE raw_items SET inquiry_id = ? WHERE id = ?")
    ) {
      bind in
      try bind.integer(1, inquiryID)
      try bind.integer(2, id)
    }
  }
}
