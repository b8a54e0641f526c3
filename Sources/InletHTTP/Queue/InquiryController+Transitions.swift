import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import InletStore

extension InquiryController {
  /// `POST /inquiries/{id}/accept|reject|merge`: the manager's decision, recorded with the
  /// token's name; a repeated identical decision answers 200, a contradicting one 409.
  /// `POST /inquiries/r{id}/promote`: a kept raw item made an inquiry.
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
    // A decision taken back: `new` again.
    group.post("/inquiries/:id/reopen") { request, context in
      let id = context.parameters.get("id") ?? ""
      // Optionally `{"decided_at": …}`: the decision's `acceptance.at` as the client read it,
      // so that a retry cannot take back a decision made since.
      let body = try await JSONBody.parseOptional(
        request, context: context, allowed: ["decided_at"])
      var decidedAt: Date?
      if let text = body?["decided_at"] {
        guard let date = RFC3339.parse(text) else {
          throw JSONBody.malformed(
            "`decided_at` must be an RFC 3339 time, the `acceptance.at` of the decision")
        }
        decidedAt = date
      }
      switch try await database.reopen(id, decidedAt: decidedAt) {
      case .changed(let inquiry):
        // Who took a decision back is in the journal (the decision itself in the events).
        context.logger.notice(
          "inquiry reopened",
          metadata: ["inquiry.id": "\(inquiry.id)", "by": "\(context.apiToken?.name ?? "unknown")"])
        return try Self.decided(inquiry, applied: true)
      case .unchanged(let inquiry): return try Self.decided(inquiry, applied: false)
      case .rawItem(let status):
        throw APIError(
          .conflict, code: "invalid_transition",
          message:
            "`\(id)` is a raw item kept as `\(status)`, not an inquiry; "
            + "POST /api/v1/inquiries/\(id)/promote makes it one")
      case .conflict(let message):
        throw APIError(.conflict, code: "decision_changed", message: message)
      case .notFound, .targetNotFound:
        throw APIError.notFound("no inquiry with id `\(id)`")
      }
    }
    // A raw item kept as noise or unreadable (`r<id>` of a listing) made an inquiry by hand.
    group.post("/inquiries/:id/promote") { _, context in
      let id = context.parameters.get("id") ?? ""
      guard id.hasPrefix("r"), let rawID = Int64(id.dropFirst()) else {
        guard try await database.inquiry(id: id) != nil else {
          throw APIError.notFound("no inquiry with id `\(id)`")
        }
        throw APIError(
          .conflict, code: "invalid_transition",
          message:
            "only a raw item kept as ignored or quarantined (`r<id>` in a listing) can be "
            + "promoted; `\(id)` is an inquiry already")
      }
      // Read outside the write: a large letter is parsed without holding up the writer.
      let reading = try await database.rawItem(id: rawID).map(keptReading) ?? KeptReading()
      switch try await database.promote(
        rawID: rawID, by: context.apiToken?.name ?? "unknown", files: reading.files,
        idempotencyKey: reading.idempotencyKey)
      {
      case .created(let inquiry):
        CounterCache.shared.increment(
          "inlet_inquiries_created_total",
          [("channel", inquiry.channel), ("kind", inquiry.kind.rawValue)])
        return try Self.decided(inquiry, applied: true, status: .created)
      case .existing(let inquiry):
        return try Self.decided(inquiry, applied: false)
      case .inquiryAlready(let inquiryID):
        throw APIError(
          .conflict, code: "invalid_transition",
          message:
            "raw item `\(id)` made or joined inquiry \(inquiryID) when it arrived (or by `inlet "
            + "replay`): there is nothing to promote")
      case .notFound:
        throw APIError.notFound("no raw item `\(id)`")
      case .nothingToPromote(let status):
        throw APIError(
          .conflict, code: "nothing_to_promote",
          message:
            "raw item `\(id)` (`\(status)`) holds nothing readable to make an inquiry of; "
            + "its bytes are at /api/v1/raw/\(rawID)")
      }
    }
    group.post("/inquiries/:id/merge") { request, context in
      let body = try await JSONBody.parse(request, context: context, allowed: ["into"])
      // `007` and `7` name the same inquiry: the decision records the id as the API writes it.
      let into = try body.require("into")
      return try await apply(
        .merge(into: Int64(into).map { String($0) } ?? into), context: context)
    }
  }

  /// `Inlet-Transition: applied` when this request made the decision, `repeated` when it
  /// only matched the one already recorded.
  static let transitionHeader = HTTPField.Name("Inlet-Transition")!

  /// The inquiry after a decision, with ``transitionHeader``.
  static func decided(
    _ inquiry: Inquiry, applied: Bool, status: HTTPResponse.Status = .ok
  ) throws -> Response {
    var response = try json(inquiry)
    response.status = status
    response.headers[transitionHeader] = applied ? "applied" : "repeated"
    return response
  }

  private func apply(_ transition: Transition, context: InletRequestContext) async throws
    -> Response
  {
    let id = context.parameters.get("id") ?? ""
    let who = context.apiToken?.name ?? "unknown"
    // `r<raw id>` is decided as `GET /inquiries/r<raw id>` reads it: the item's inquiry.
    switch try await database.apply(transition, to: id, by: who) {
    case .changed(let inquiry):
      return try Self.decided(inquiry, applied: true)
    case .unchanged(let inquiry):
      // The same decision was recorded earlier (this client's retry, or another manager's
      // identical decision): 200 all the same, but the header tells the two apart.
      return try Self.decided(inquiry, applied: false)
    case .notFound:
      throw APIError.notFound("no inquiry with id `\(id)`")
    case .rawItem(let status):
      throw APIError(
        .conflict, code: "invalid_transition",
        message:
          "`\(id)` is a raw item kept as `\(status)`, not an inquiry: it cannot be decided; "
          + "POST /api/v1/inquiries/\(id)/promote makes it one (or `inlet replay`, once it can "
          + "be read)")
    case .targetNotFound:
      throw APIError(
        .notFound, code: "merge_target_not_found",
        message: "no inquiry to merge into; `into` must be an existing inquiry id")
    case .conflict(let message):
      throw APIError(.conflict, code: "invalid_transition", message: message)
    }
  }
}
