import Foundation

/// One provider notification about a call, as a channel definition mapped it.
public struct CallEvent: Sendable, Equatable, Codable {
  /// The provider's id of the call (stable across its events).
  public var callID: String
  public var state: CallState?
  /// The provider's ordering of events of one call — of one leg, when `leg` is set (Mango's
  /// `seq` counts within a `call_id`) — when it sends one.
  public var seq: Int64?
  /// The leg this event is about, for a provider that reports each leg of a call on its own
  /// (Mango's `call_id`: the IVR, each employee rung, a transfer), under the call's one id.
  public var leg: String?
  /// Whether a conversation took place, when the event says so.
  public var answered: Bool?
  /// `in`, `out` or `internal`.
  public var direction: String?
  /// A leg an extension started (a transfer to a colleague or to an outside number, a call
  /// out): its direction is the call's only until a leg from outside says otherwise — an
  /// incoming call's transfer leg may arrive before the caller's own events.
  public var fromExtension: Bool
  /// The leg's employee handed the call on (MegaFon's `TRANSFERRED`): the leg is over, the
  /// call goes on with the next leg.
  public var handedOver: Bool
  /// The caller's number in E.164, `nil` when hidden or absent.
  public var callerPhone: String?
  /// The caller hid the number (anonymous, private, …).
  public var anonymous: Bool
  public var did: String?
  public var employee: String?
  public var durationS: Int?
  public var recordingURL: String?
  public var receivedAt: Date
  /// When the call started, when the event says so.
  public var startedAt: Date?

  public init(
    callID: String, state: CallState? = nil, seq: Int64? = nil, leg: String? = nil,
    answered: Bool? = nil,
    direction: String? = nil, fromExtension: Bool = false, handedOver: Bool = false,
    callerPhone: String? = nil,
    anonymous: Bool = false,
    did: String? = nil, employee: String? = nil, durationS: Int? = nil,
    recordingURL: String? = nil, receivedAt: Date, startedAt: Date? = nil
  ) {
    self.callID = callID
    self.state = state
    self.seq = seq
    self.leg = leg
    self.answered = answered
    self.direction = direction
    self.fromExtension = fromExtension
    self.handedOver = handedOver
    self.callerPhone = callerPhone
    self.anonymous = anonymous
    self.did = did
    self.employee = employee
    self.durationS = durationS
    self.recordingURL = recordingURL
    self.receivedAt = receivedAt
    self.startedAt = startedAt
  }
}
