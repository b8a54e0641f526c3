import Foundation
import Hummingbird
import InletCore
import InletStore

extension InquiryController {
  /// `POST /inquiries/{id}/accept|reject|merge`: the manager's decision, recorded with the
  /// token's name; a repeated identical decision answers 200, a contradicting one 409.
  func registerTransitions(on group: RouterGroup<InletRequestContext>) {
    group.post("/inquiries/:id/accept") { request, context in
      let body = try await JSONBody.parse(
        request, context: context,
        allowed: ["action", "client_id", "contact_id", "interest_id", "comment"])
      let actionName = try body.require("action")
      guard let action = SuggestedAction(rawValue: actionName) else {
        throw JSONBody.malformed(
          "`action` must be one of: "
            + SuggestedAction.allCases.map(\.rawValue).joined(separator: ", "))
      }
      return try await apply(
        .accept(
          action: action, clientID: body["client_id"], contactID: body["contact_id"],
          interestID: body["interest_id"], comment: body["comment"]),
        context: context)
    }
    group.post("/inquiries/:id/reject") { request, context in
      let body = try await JSONBody.parse(
        request, context: context, allowed: ["reason", "comment"])
      let reason = try body.require("reason")
      guard Transition.rejectReasons.contains(reason) else {
        throw JSONBody.malformed(
          "`reason` must be one of: \(Transition.rejectReasons.joined(separator: ", "))")
      }
      return try await apply(.reject(reason: reason, comment: body["comment"]), context: context)
    }
    group.post("/inquiries/:id/merge") { request, context in
      let body = try await JSONBody.parse(request, context: context, allowed: ["into"])
      // `007` and `7` name the same inquiry: the decision records the id as the API writes it.
      let into = try body.require("into")
      return try await apply(
        .merge(into: Int64(into).map { String($0) } ?? into), context: context)
    }
  }

  private func apply(_ transition: Transition, context: InletRequestContext) async throws
    -> Response
  {
    let id = context.parameters.get("id") ?? ""
    let who = context.apiToken?.name ?? "unknown"
    // `r<raw id>`: an ignored or quarantined input listed in the queue's shape, not an inquiry.
    if id.hasPrefix("r"), Int64(id.dropFirst()) != nil {
      throw APIError(
        .conflict, code: "invalid_transition",
        message:
          "`\(id)` is a raw item kept as ignored or quarantined, not an inquiry: it cannot be "
          + "decided; `inlet replay` makes it an inquiry once it can be read")
    }
    switch try await database.apply(transition, to: id, by: who) {
    case .changed(let inquiry), .unchanged(let inquiry):
      return try Self.json(inquiry)
    case .notFound:
      throw APIError.notFound("no inquiry with id `\(id)`")
    case .targetNotFound:
      throw APIError(
        .notFound, code: "merge_target_not_found",
        message: "no inquiry to merge into; `into` must be an existing inquiry id")
    case .conflict(let message):
      throw APIError(.conflict, code: "invalid_transition", message: message)
    }
  }
}
