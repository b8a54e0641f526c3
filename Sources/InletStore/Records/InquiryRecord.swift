import Foundation
import GRDB
import InletCore

/// A row of the lead queue; the inquiry itself is `document`, the columns are what is queried.
public struct InquiryRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "inquiries"

  public var id: Int64?
  public var status: String
  public var channel: String
  public var kind: String
  public var receivedAt: Date
  public var rawID: Int64
  public var senderEmail: String?
  public var senderPhone: String?
  public var senderMessenger: String?
  public var companyINN: String?
  public var document: String
  public var updatedAt: Date
  /// The match's client and contact, kept beside the document so that a directory write finds
  /// the `new` inquiries matched to what it changed without reading every document: written
  /// with the row, and by a trigger whenever `document` is written.
  public var matchClientID: String?
  public var matchContactID: String?

  enum CodingKeys: String, CodingKey {
    case id, status, channel, kind
    case receivedAt = "received_at"
    case rawID = "raw_id"
    case senderEmail = "sender_email"
    case senderPhone = "sender_phone"
    case senderMessenger = "sender_messenger"
    case companyINN = "company_inn"
    case document
    case updatedAt = "updated_at"
    case matchClientID = "match_client_id"
    case matchContactID = "match_contact_id"
  }

  public enum Columns {
    static let id = Column(CodingKeys.id)
    static let status = Column(CodingKeys.status)
    static let senderEmail = Column(CodingKeys.senderEmail)
    static let senderPhone = Column(CodingKeys.senderPhone)
    static let senderMessenger = Column(CodingKeys.senderMessenger)
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

  /// The inquiry's JSON as SQL: the `document` column, or — stored empty by the ingest, which
  /// writes the JSON once — the payload of the inquiry's `inquiry.created` event (the inquiry
  /// as it was made; any later change writes the whole document into the column). Every read
  /// of the document goes through this, never through the bare column.
  static let documentSQL = """
    COALESCE(NULLIF(inquiries.document, ''), (SELECT payload FROM events
      WHERE events.inquiry_id = inquiries.id AND events.type = 'inquiry.created'
      ORDER BY events.id LIMIT 1))
    """

  public static var databaseSelection: [any SQLSelectable] {
    [
      .allColumns(excluding: [CodingKeys.document.rawValue]),
      SQL(sql: documentSQL).forKey(CodingKeys.document.rawValue),
    ]
  }
}

/// A continuation appended to an inquiry.
public struct InquiryMessageRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "inquiry_messages"

  public var id: Int64?
  public var inquiryID: Int64
  public var rawID: Int64
  public var receivedAt: Date
  public var text: String?

  enum CodingKeys: String, CodingKey {
    case id
    case inquiryID = "inquiry_id"
    case rawID = "raw_id"
    case receivedAt = "received_at"
    case text
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A file received with an input.
public struct AttachmentRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "attachments"

  public var id: Int64?
  public var rawID: Int64
  public var inquiryID: Int64?
  public var name: String
  public var contentType: String
  public var size: Int
  public var data: Data

  enum CodingKeys: String, CodingKey {
    case id
    case rawID = "raw_id"
    case inquiryID = "inquiry_id"
    case name
    case contentType = "content_type"
    case size, data
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension InquiryRecord {
  /// Inserts through one cached statement (the ingest hot path: no record encoding).
  mutating func insertCached(_ db: Database) throws {
    try insertCached(db, document: Array(document.utf8))
  }

  /// The same with the document given as encoded JSON, bound as its bytes (the record's own
  /// `document` is not read).
  mutating func insertCached(_ db: Database, document json: [UInt8]) throws {
    let statement = try db.cachedStatement(
      sql: """
        INSERT INTO inquiries (status, channel, kind, received_at, raw_id, sender_email,
          sender_phone, sender_messenger, company_inn, document, updated_at, match_client_id,
          match_contact_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    try db.executeDirect(statement) { bind in
      try bind.text(1, status)
      try bind.text(2, channel)
      try bind.text(3, kind)
      try bind.text(4, StoredDate.text(receivedAt))
      try bind.integer(5, rawID)
      try bind.text(6, senderEmail)
      try bind.text(7, senderPhone)
      try bind.text(8, senderMessenger)
      try bind.text(9, companyINN)
      try bind.text(10, utf8: json)
      try bind.text(11, StoredDate.text(updatedAt))
      try bind.text(12, matchClientID)
      try bind.text(13, matchContactID)
    }
    id = db.lastInsertedRowID
  }
}
