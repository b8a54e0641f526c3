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

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension RawItemRecord {
  /// Inserts through one cached statement (the ingest hot path: no record encoding).
  mutating func insertCached(_ db: Database) throws {
    try db.cachedStatement(
      sql: """
        INSERT INTO raw_items (channel, event, transport, body, idempotency_key, received_at,
          status, reason, extracted, inquiry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    ).execute(arguments: [
      channel, event, transport, body, idempotencyKey, StoredDate(receivedAt), status, reason,
      extracted,
      inquiryID,
    ])
    id = db.lastInsertedRowID
  }

  /// Links the item to its inquiry.
  mutating func link(to inquiryID: Int64, _ db: Database) throws {
    self.inquiryID = inquiryID
    try db.cachedStatement(sql: "UPDATE raw_items SET inquiry_id = ? WHERE id = ?")
      .execute(arguments: [inquiryID, id])
  }
}
