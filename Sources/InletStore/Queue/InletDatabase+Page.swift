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
  /// A page of the queue in queue order (oldest first; `new` in the order inquiries entered it,
  /// ``queued(_:after:limit:in:)``).
  public func page(_ query: QueueQuery) async throws -> QueuePage {
    try await read { db in try Self.page(query, in: db) }
  }

  static func page(_ query: QueueQuery, in db: Database) throws -> QueuePage {
    let limit = max(1, query.limit)
    // Each with its position: its id, or in `new` its place since it was reopened.
    var inquiries: [(record: InquiryRecord, position: Int64)] = []
    if let statuses = query.filter.inquiryStatuses {
      var request = InquiryRecord.filter(statuses.contains(InquiryRecord.Columns.status))
      if let channel = query.channel { request = request.filter(Column("channel") == channel) }
      if let kind = query.kind { request = request.filter(Column("kind") == kind) }
      if let since = query.since { request = request.filter(Self.receivedSince(since)) }
      if query.filter == .new {
        inquiries = try queued(request, after: query.after.inquiryID, limit: limit, in: db)
      } else {
        inquiries = try request.filter(InquiryRecord.Columns.id > query.after.inquiryID)
          .order(InquiryRecord.Columns.id).limit(limit).fetchAll(db).map { ($0, $0.id!) }
      }
    }
    var raws: [RawItemRecord] = []
    if let statuses = query.filter.rawStatuses {
      // Raw-only entries: a kept attempt a corrected retry superseded is its lead's already.
      var request = RawItemRecord.filter(statuses.contains(RawItemRecord.Columns.status))
        .filter(Column("inquiry_id") == nil)
        .filter(RawItemRecord.Columns.id > query.after.rawID)
      if let channel = query.channel { request = request.filter(Column("channel") == channel) }
      // The kind a raw-only entry is listed with (``rawEntry(_:)``): what was read of it, else
      // a letter's `email`, else its channel's kind kept with it, else `form`.
      if let kind = query.kind {
        request = request.filter(
          SQL(
            sql: """
              COALESCE(json_extract(extracted, '$.kind'),
                CASE event WHEN 'letter' THEN 'email'
                  ELSE COALESCE(json_extract(transport, '$.kind'), 'form') END) = ?
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
        || (i < inquiries.count && inquiries[i].record.receivedAt <= raws[r].receivedAt)
      if takeInquiry {
        items.append(try assemble(inquiries[i].record, in: db))
        cursor.inquiryID = inquiries[i].position
        i += 1
      } else {
        items.append(try rawEntry(raws[r]))
        cursor.rawID = raws[r].id!
        r += 1
      }
    }
    return QueuePage(items: items, next: items.count == limit ? cursor : nil, position: cursor)
  }

  /// The `new` queue in the order inquiries entered it: by id, except that a reopened one
  /// entered again at its reopening (`inquiry_requeued`), so a listing resumed from a position
  /// taken before then returns it. Two index-ordered reads merged: the inquiries never
  /// reopened, and the few that were.
  static func queued(
    _ request: QueryInterfaceRequest<InquiryRecord>, after: Int64, limit: Int, in db: Database
  ) throws -> [(record: InquiryRecord, position: Int64)] {
    let arrived = try request.filter(InquiryRecord.Columns.id > after)
      .filter(sql: "id NOT IN (SELECT inquiry_id FROM inquiry_requeued)")
      .order(InquiryRecord.Columns.id).limit(limit).fetchAll(db)
    // The reopened ones with the listing's own filters before the limit, by their position.
    let position = SQL(
      sql: "(SELECT position FROM inquiry_requeued WHERE inquiry_id = inquiries.id)")
    let reopened = try Row.fetchAll(
      db,
      request.filter(
        sql: "id IN (SELECT inquiry_id FROM inquiry_requeued WHERE position > ?)",
        arguments: [after]
      )
      .annotated(with: position.forKey("queue_position")).order(position).limit(limit)
      .asRequest(of: Row.self)
    ).map { (record: try InquiryRecord(row: $0), position: $0["queue_position"] as Int64) }
    var merged: [(record: InquiryRecord, position: Int64)] = []
    var a = 0
    var b = 0
    while merged.count < limit, a < arrived.count || b < reopened.count {
      if b >= reopened.count || (a < arrived.count && arrived[a].id! < reopened[b].position) {
        merged.append((arrived[a], arrived[a].id!))
        a += 1
      } else {
        merged.append(reopened[b])
        b += 1
      }
    }
    return merged
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
