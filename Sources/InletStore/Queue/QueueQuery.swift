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

extension QueueQuery {
  /// Whether a later `after` of this listing's position returns what arrived since: for a
  /// resumable status (``ListFilter/resumable``) and a kind an entry has from its arrival. A
  /// call's inquiry is `call` while it rings and becomes `missed_call` when it ends unanswered
  /// (or at its `call_timeout`), behind a `kind=missed_call` position taken meanwhile.
  public var resumable: Bool {
    guard filter.resumable else { return false }
    switch kind {
    case "call", "missed_call": return false
    default: return true
    }
  }
}

extension ListFilter {
  /// Whether a later `after` of this listing's position returns what arrived since. The cursor
  /// is the order of arrival (inquiry and raw item ids), so it is exact only where an entry's
  /// status is set when it arrives and stays in the listing: `new` (every inquiry starts
  /// there; one reopened enters it again at a position after every earlier one,
  /// `inquiry_requeued`). An inquiry becomes accepted, rejected or merged when it is decided, in any order,
  /// and a raw item may become ignored or quarantined later (a letter fetched on a later pass,
  /// `inlet replay` of an event kept without an inquiry), so joins `all` too: there a position
  /// says nothing about what joined since. Paging (`next`) works for every status.
  public var resumable: Bool {
    switch self {
    case .new: return true
    case .all, .accepted, .rejected, .merged, .ignored, .quarantined: return false
    }
  }
}
