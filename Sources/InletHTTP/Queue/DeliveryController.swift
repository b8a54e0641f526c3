import Foundation
import Hummingbird
import InletCore
import InletStore

/// `GET /deliveries` (the outbox, e.g. `?status=dead`), `POST /deliveries/{id}/retry` and
/// `POST /deliveries/retry` (every dead one, after a CRM outage longer than the retries),
/// `POST /deliveries/{id}/discard` (a dead one given up on).
struct DeliveryController {
  let database: InletDatabase

  func register(on group: RouterGroup<InletRequestContext>) {
    group.get("/deliveries") { request, _ in
      let parameters = request.uri.queryParameters
      try InquiryController.requireKnown(parameters, ["status", "after", "limit"])
      var status: Delivery.Status?
      if let text = parameters["status"].map(String.init) {
        guard let value = Delivery.Status(rawValue: text) else {
          throw InquiryController.badQuery(
            "`status` must be one of: "
              + Delivery.Status.allCases.map(\.rawValue).joined(separator: ", "))
        }
        status = value
      }
      var after: Int64 = 0
      if let text = parameters["after"].map(String.init) {
        guard let value = Int64(text), value >= 0 else {
          throw APIError(
            .badRequest, code: "invalid_cursor",
            message: "`after` must be the `next` value of a previous page")
        }
        after = value
      }
      var limit = 50
      if let text = parameters["limit"].map(String.init) {
        guard let value = Int(text), (1...InquiryController.maxPageSize).contains(value) else {
          throw InquiryController.badQuery(
            "`limit` must be an integer from 1 to \(InquiryController.maxPageSize)")
        }
        limit = value
      }
      let items = try await database.deliveries(status: status, after: after, limit: limit)
      return try InquiryController.json(
        Page(items: items, next: items.count == limit ? items.last?.id : nil))
    }
    group.post("/deliveries/retry") { _, _ in
      let revived = try await database.retryDeadDeliveries(now: Date())
      return try InquiryController.json(Revived(revived: revived))
    }
    group.post("/deliveries/:id/retry") { _, context in
      let id = context.parameters.get("id") ?? ""
      return try Self.answer(try await database.retryDelivery(id, now: Date()), id, "retried")
    }
    // A change the CRM refuses for good: given up on, so the inquiry's later changes go out.
    group.post("/deliveries/:id/discard") { _, context in
      let id = context.parameters.get("id") ?? ""
      let outcome = try await database.discardDelivery(id)
      if case .changed = outcome {
        context.logger.notice(
          "delivery discarded",
          metadata: ["delivery.id": "\(id)", "by": "\(context.apiToken?.name ?? "unknown")"])
      }
      return try Self.answer(outcome, id, "discarded")
    }
  }

  /// The answer to a retry or a discard of dead delivery `id`.
  static func answer(_ outcome: InletDatabase.DeadDeliveryOutcome, _ id: String, _ verb: String)
    throws
    -> Response
  {
    switch outcome {
    case .changed(let delivery):
      var response = try InquiryController.json(delivery)
      response.headers[InquiryController.transitionHeader] = "applied"
      return response
    case .unchanged(let delivery):
      // This client's retry of the request (its answer was lost): 200 all the same, and the
      // header tells the two apart, as for an inquiry's decisions.
      var response = try InquiryController.json(delivery)
      response.headers[InquiryController.transitionHeader] = "repeated"
      return response
    case .notFound:
      throw APIError.notFound("no delivery with id `\(id)`")
    case .notDead(let status):
      throw APIError(
        .conflict, code: "invalid_transition",
        message:
          "delivery \(id) is `\(status.rawValue)`; only a "
          + (verb == "discarded" ? "dead or pending" : "dead") + " delivery can be \(verb)")
    }
  }

  typealias Page = APIPage<Delivery>

  /// The answer of the bulk retry: how many dead deliveries went back in the queue.
  struct Revived: Encodable {
    var revived: Int
  }
}
