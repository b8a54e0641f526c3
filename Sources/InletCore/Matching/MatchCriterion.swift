/// What can identify a sender, strongest first: the order decides which client is chosen when
/// criteria disagree (the others are then listed in `match.conflicts`).
public enum MatchCriterion: String, Sendable, CaseIterable, Comparable {
  case email
  case inn
  case phone
  case messenger
  case domain

  /// Criteria that can identify the person, not only the organisation.
  public var identifiesContact: Bool {
    self == .email || self == .phone || self == .messenger
  }

  public static func < (lhs: MatchCriterion, rhs: MatchCriterion) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}
