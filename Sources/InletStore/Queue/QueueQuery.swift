import Foundation

/// The filters of `GET /api/v1/inquiries`.
public struct QueueQuery: Sendable {
  public var filter: ListFilter
  public var channel: String?
  public var kind: String?
  /// Only entries received at or after this instant.
  public var since: Date?
  public var after: QueueCursor
  public var limit: Int

  public init(
    filter: ListFilter = .new, channel: String? = nil, kind: String? = nil, since: Date? = nil,
    after: QueueCursor = QueueCursor(), limit: Int = 50
  ) {
    self.filter = filter
    self.channel = channel
    self.kind = kind
    self.since = since
    self.after = after
    self.limit = limit
  }
}
