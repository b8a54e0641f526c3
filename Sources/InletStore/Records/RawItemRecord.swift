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
