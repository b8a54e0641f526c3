import Foundation
import GRDB
import InletCore

/// Which entries a listing shows (design.md, "Statuses").
public enum ListFilter: String, Sendable, CaseIterable {
  case new, accepted, rejected, merged, ignored, quarantined, all

  var inquiryStatuses: [String]? {
    switch self {
    case .new, .accepted, .rejected, .merged: return [rawValue]
    case .all: return InquiryStatus.allCases.map(\.rawValue)
    case .ignored, .quarantined: return nil
    }
  }

  var rawStatuses: [String]? {
    switch self {
    case .ignored, .quarantined: return [rawValue]
    case .all: return [RawItemStatus.ignored.rawValue, RawItemStatus.quarantined.rawValue]
    default: return nil
    }
  }
}

extension InletDatabase {
  /// One inquiry by its id, or a raw-only entry by `r<raw id>`.
  public func inquiry(id: String) async throws -> Inquiry? {
    try await read { db in try Self.inquiry(id: id, in: db) }
  }

  /// The synchronous variant for the CLI.
  public func inquirySync(id: String) throws -> Inquiry? {
    try readSync { db in try Self.inquiry(id: id, in: db) }
  }

  /// Entries in queue order (oldest first; `new` as inquiries entered it, a reopened one again).
  public func listSync(_ filter: ListFilter, limit: Int = 1000) throws -> [Inquiry] {
    try readSync { db in try Self.list(filter, limit: limit, in: db) }
  }

  /// Counts of inquiries and raw items by status: the queue depth and the quarantine size.
  public func countsSync() throws -> Counts {
    try readSync { db in try Self.counts(in: db) }
  }

  /// The async variant.
  public func counts() async throws -> Counts {
    try await read { db in try Self.counts(in: db) }
  }

  /// Queue depth by inquiry status and raw items by status (quarantined and ignored ones that
  /// belong to a lead left out).
  public struct Counts: Sendable, Codable, Equatable {
    public var inquiries: [String: Int]
    public var rawItems: [String: Int]
    /// Pushes to the CRM still to go (`pending`) and given up after `max_attempts` (`dead`):
    /// the backlog of a CRM that is down, which the counters of a restarted daemon forget.
    public var deliveries: [String: Int]?

    enum CodingKeys: String, CodingKey {
      case inquiries
      case rawItems = "raw_items"
      case deliveries
    }
  }

  static func counts(in db: Database) throws -> Counts {
    var inquiries: [String: Int] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT status, COUNT(*) AS n FROM inquiries GROUP BY status")
    {
      inquiries[row["status"]] = row["n"]
    }
    var raw: [String: Int] = [:]
    for row in try Row.fetchAll(
      db, sql: "SELECT status, COUNT(*) AS n FROM raw_items GROUP BY status")
    {
      raw[row["status"]] = row["n"]
    }
    // A kept attempt that its lead took over (a corrected retry superseded it, a refused
    // request's retry was taken) is no quarantine or noise to look at: the listing shows none
    // of them, and nothing would ever clear them from these counts.
    for row in try Row.fetchAll(
      db,
      sql: """
        SELECT status, COUNT(*) AS n FROM raw_items
        WHERE status IN ('quarantined', 'ignored') AND inquiry_id IS NOT NULL GROUP BY status
        """)
    {
      let status: String = row["status"]
      let left = (raw[status] ?? 0) - (row["n"] as Int)
      raw[status] = left > 0 ? left : nil
    }
    // By the (status, next_attempt_at) index: the delivered ones, however many, are not read.
    var deliveries: [String: Int] = ["pending": 0, "dead": 0]
    for status in ["pending", "dead"] {
      deliveries[status] = try Int.fetchOne(
        db.cachedStatement(sql: "SELECT COUNT(*) FROM deliveries WHERE status = ?"),
        arguments: [status])
    }
    return Counts(inquiries: inquiries, rawItems: raw, deliveries: deliveries)
  }

  static func inquiry(id: String, in db: Database) throws -> Inquiry? {
    if id.hasPrefix("r"), let rawID = Int64(id.dropFirst()) {
      guard let raw = try RawItemRecord.fetchOne(db, key: rawID) else { return nil }
      if let inquiryID = raw.inquiryID, let record = try InquiryRecord.fetchOne(db, key: inquiryID)
      {
        return try assemble(record, in: db)
      }
      return try rawEntry(raw)
    }
    guard let key = Int64(id), let record = try InquiryRecord.fetchOne(db, key: key) else {
      return nil
    }
    return try assemble(record, in: db)
  }

  /// The first `limit` entries in queue order: the API's first page, so the CLI and the API
  /// list the same entries in the same order.
  static func list(_ filter: ListFilter, limit: Int, in db: Database) throws -> [Inquiry] {
    try page(QueueQuery(filter: filter, limit: limit), in: db).items
  }

  static func assemble(_ record: InquiryRecord, in db: Database) throws -> Inquiry {
    var inquiry = try InquiryJSON.decodeStored(record.document)
    let id = record.id!
    inquiry.id = String(id)
    inquiry.status = record.status
    inquiry.source.rawID = String(record.rawID)
    // In time order: a merged inquiry's earlier messages come before the target's later ones.
    inquiry.messages = try InquiryMessageRecord.filter(Column("inquiry_id") == id)
      .order(Column("received_at"), Column("id")).fetchAll(db)
      .map { Inquiry.Message(receivedAt: $0.receivedAt, text: $0.text, rawID: String($0.rawID)) }
    inquiry.attachments = try Row.fetchAll(
      db,
      sql: "SELECT id, name, content_type, size FROM attachments WHERE inquiry_id = ? ORDER BY id",
      arguments: [id]
    ).map {
      Inquiry.Attachment(
        id: String($0["id"] as Int64), name: $0["name"], contentType: $0["content_type"],
        size: $0["size"])
    }
    return inquiry
  }

  /// The kind a raw item nothing was read from is listed with: a letter's `email`, else its
  /// channel's kind as kept with it (``TransportMetadata/kind``), else `form`. The SQL of the
  /// `kind` filter (``page(_:in:)``) says the same.
  static func listingKind(_ raw: RawItemRecord) -> InquiryKind {
    if raw.event == "letter" { return .email }
    let kind = (try? ValueJSON.parse(Array(raw.transport.utf8)))?.object?["kind"]?.text
    return kind.flatMap(InquiryKind.init(rawValue:)) ?? .form
  }

  /// An ignored or quarantined raw item shown in the shape of an inquiry.
  static func rawEntry(_ raw: RawItemRecord) throws -> Inquiry {
    var entry: Inquiry
    if let extracted = raw.extracted {
      entry = try InquiryJSON.decodeStored(extracted)
    } else {
      entry = Inquiry(channel: raw.channel, kind: Self.listingKind(raw), receivedAt: raw.receivedAt)
    }
    entry.id = "r\(raw.id!)"
    entry.status = raw.status
    entry.channel = raw.channel
    entry.receivedAt = raw.receivedAt
    entry.reason = raw.reason
    entry.source.rawID = String(raw.id!)
    return entry
  }
}
