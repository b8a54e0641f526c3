/// Where a call is in its life, as far as events have told.
///
/// States only move forward (`rank`), so a late or repeated event never undoes a later one.
public enum CallState: String, Codable, Sendable, CaseIterable {
  case ringing
  case answered
  /// Finished; whether it was a conversation depends on ``CallRecord/answered``.
  case ended
  /// Finished without a conversation, as the provider said explicitly.
  case missed

  var rank: Int {
    switch self {
    case .ringing: return 0
    case .answered: return 1
    case .ended, .missed: return 2
    }
  }

  /// Whether no later event can change the outcome.
  public var isFinal: Bool { rank == 2 }
}
