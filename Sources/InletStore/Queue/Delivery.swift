import Foundation

/// One outbox row: an event to push to the CRM.
public struct Delivery: Sendable, Equatable, Codable {
  public var id: String
  public var eventID: String
  public var event: ChangeType
  public var inquiryID: String
  public var status: Status
  public var attempts: Int
  public var nextAttemptAt: Date
  public var lastError: String?
  public var createdAt: Date
  public var deliveredAt: Date?
  /// For a pending delivery held back to keep the inquiry's order: the earlier delivery of the
  /// same inquiry it waits for (a dead one waits for a retry or a discard).
  public var waitingFor: String?

  /// `pending` until the CRM answers 2xx (`delivered`) or `max_attempts` fail (`dead`); a dead
  /// one may be retried (`pending` again) or given up on (`discarded`, for good).
  public enum Status: String, Sendable, Codable, CaseIterable {
    /// `discarded`: a dead delivery given up on by hand (`POST /deliveries/{id}/discard`), so
    /// the inquiry's later changes go out; its change is in the event feed all the same.
    case pending, delivered, dead, discarded
  }

  enum CodingKeys: String, CodingKey {
    case id
    case eventID = "event_id"
    case event
    case inquiryID = "inquiry_id"
    case status, attempts
    case nextAttemptAt = "next_attempt_at"
    case lastError = "last_error"
    case createdAt = "created_at"
    case deliveredAt = "delivered_at"
    case waitingFor = "waiting_for"
  }
}
