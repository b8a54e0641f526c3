import Foundation

/// One entry of the change sequence (the SSE stream's events).
public struct QueueEvent: Sendable, Equatable {
  public var id: Int64
  public var type: ChangeType
  public var inquiryID: Int64
  /// The inquiry JSON as it was right after the change.
  public var payload: String
  public var createdAt: Date
}
