import Foundation
import InletCore

/// A manager's decision on a `new` inquiry (design.md, "Statuses").
public enum Transition: Sendable, Equatable {
  /// Accepted with one of the four outcomes and the CRM's ids of what it created or chose.
  case accept(
    action: SuggestedAction, clientID: String?, contactID: String?, interestID: String?,
    comment: String?)
  /// Not a lead (`spam`, `duplicate`, `not_a_lead`, `other`).
  case reject(reason: String, comment: String?)
  /// Folded into another inquiry.
  case merge(into: String)

  /// The reasons a rejection may give.
  public static let rejectReasons = ["spam", "duplicate", "not_a_lead", "other"]

  /// The status the inquiry ends in.
  var status: InquiryStatus {
    switch self {
    case .accept: return .accepted
    case .reject: return .rejected
    case .merge: return .merged
    }
  }

  /// The `acceptance` record of this decision.
  func acceptance(by: String, at: Date) -> Inquiry.Acceptance {
    switch self {
    case .accept(let action, let clientID, let contactID, let interestID, let comment):
      return Inquiry.Acceptance(
        action: action.rawValue, by: by, at: at, clientID: clientID, contactID: contactID,
        interestID: interestID, comment: comment)
    case .reject(let reason, let comment):
      return Inquiry.Acceptance(action: "reject", by: by, at: at, reason: reason, comment: comment)
    case .merge(let into):
      return Inquiry.Acceptance(action: "merge", by: by, at: at, into: into)
    }
  }

  /// Whether an existing decision is this one repeated (who, when and the comment aside), so
  /// a retried request answers 200 instead of 409.
  func isRepeat(of acceptance: Inquiry.Acceptance) -> Bool {
    let mine = self.acceptance(by: "", at: Date(timeIntervalSince1970: 0))
    return mine.action == acceptance.action && mine.clientID == acceptance.clientID
      && mine.contactID == acceptance.contactID && mine.interestID == acceptance.interestID
      && mine.reason == acceptance.reason && mine.into == acceptance.into
  }
}

/// What applying a ``Transition`` did.
public enum TransitionOutcome: Sendable, Equatable {
  /// The inquiry changed; an `inquiry.updated` event was recorded.
  case changed(Inquiry)
  /// The same decision was already recorded; nothing changed.
  case unchanged(Inquiry)
  /// No inquiry with that id (nor a raw item, for `r<raw id>`).
  case notFound
  /// `r<raw id>` names a raw item that made no inquiry (ignored, quarantined): nothing to
  /// decide. `status` is the item's.
  case rawItem(status: String)
  /// `merge` named an inquiry that does not exist.
  case targetNotFound
  /// The inquiry's status does not allow this decision; the message says why.
  case conflict(String)
}
