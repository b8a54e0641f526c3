import Foundation
import GRDB
import InletCore

/// One page of the queue.
public struct QueuePage: Sendable {
  public var items: [Inquiry]
  /// Where the next page starts; nil when this page reached the end.
  public var next: QueueCursor?
  /// The position after this page's last entry (the query's own when the page is empty),
  /// also at the end: asked for later, it gives exactly what arrived since.
  public var position: QueueCursor
}

extension InletDatabase {
  /// A page of the queue in queue order (oldest first).
  public func page(_ query: QueueQuery) async throws -> QueuePage {
    try await read { db in try Self.page(query, in: db) }
  }

  static func page(_ query: QueueQuery, in db: Database) throws -> QueuePage {
    let limit = max(1, query.limit)
    var inquiries: [InquiryRecord] = []
    if let statuses = query.filter.inquiryStatuses {
      var request = InquiryRecord.filter(statuses.contains(InquiryRecord.Columns.status))
        .filter(InquiryRecord.Columns.id > query.after.inquiryID)
      if let channel = query.channel { request = request.filter(Column("channel") == channel) }
      if let kind = query.kind { request = request.filter(Column("kind") == kind) }
      if let since = query.since { request = request.filter(Self.receivedSince(since)) }
      inquiries = try request.order(InquiryRecord.Columns.id).limit(limit).fetchAll(db)
    }
    var raws: [RawItemRecord] = []
    if let statuses = query.filter.rawStatuses {
      // Raw-only entries: a kept attempt a corrected retry superseded is its lead's already.
      var request = RawItemRecord.filter(statuses.contains(RawItemRecord.Columns.status))
        .filter(Column("inquiry_id") == nil)
        .filter(RawItemRecord.Columns.id > query.after.rawID)
      if let channel = query.channel { request = request.filter(Column("channel") == channel) }
      // The kind a raw-only entry is listed with (``rawEntry(_:)``): what was read of it, else
      // a letter's `email` or a webhook's `form`.
      if let kind = query.kind {
        request = request.filter(
          SQL(
            sql: """
              COALESCE(json_extract(extracted, '$.kind'),
                CASE event WHEN 'letter' THEN 'email' ELSE 'form' END) = ?
              """, arguments: [kind]
          ).sqlExpression)
      }
      if let since = query.since { request = request.filter(Self.receivedSince(since)) }
      raws = try request.select(RawItemRecord.listingColumns).order(RawItemRecord.Columns.id)
        .limit(limit).fetchAll(db)
    }
    // Merge the two id-ordered streams by arrival, taking a prefix of each, so each stream's
    // cursor part stays exact.
    var items: [Inquiry] = []
    var cursor = query.after
    var i = 0
    var r = 0
    while items.count < limit, i < inquiries.count || r < raws.count {
      let takeInquiry =
        r >= raws.count
        || (i < inquiries.count && inquiries[i].receivedAt <= raws[r].receivedAt)
      if takeInquiry {
        items.append(try assemble(inquiries[i], in: db))
        cursor.inquiryID = inquiries[i].id!
        i += 1
      } else {
        items.append(try rawEntry(raws[r]))
        cursor.rawID = raws[r].id!
        r += 1
      }
    }
    return QueuePage(items: items, next: items.count == limit ? cursor : nil, position: cursor)
  }

  /// `received_at >= since` whether the column holds GRDB's date text or a Unix time, so the
  /// filter does not depend on how a record type encodes dates.
  static func receivedSince(_ since: Date) -> SQLExpression {
    SQL(
      sql: """
        (CASE typeof(received_at) WHEN 'text' THEN julianday(received_at)
          ELSE julianday(received_at, 'unixepoch') END) >= julianday(?, 'unixepoch')
        """, arguments: [since.timeIntervalSince1970]
    ).sqlExpression
  }
}
