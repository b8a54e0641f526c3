import Foundation
import Hummingbird
import InletCore
import InletStore

/// `GET /events`: the event stream's sequence read as pages, for a CRM that polls (a scheduled
/// job in 1C cannot hold a stream open) and must still learn of every change — a continuation
/// appended, a rematch, a call answered later — not only of new inquiries.
///
/// A page is `{"items": [...], "last_event_id": N, "more": bool}`; the next page is
/// `?after=N`. Each item is `{id, type, inquiry_id, created_at, inquiry}`, `inquiry` the JSON
/// as it was right after the change (the stream's `data:`).
struct EventPage: Sendable {
  let database: InletDatabase
  static let defaultPageSize = 100
  static let maxPageSize = 500

  func register(on group: RouterGroup<InletRequestContext>) {
    group.get("/events") { request, _ in
      let parameters = request.uri.queryParameters
      try InquiryController.requireKnown(parameters, ["after", "limit"])
      var after: Int64 = 0
      if let text = parameters["after"].map(String.init) {
        guard let value = Int64(text), value >= 0 else {
          throw APIError(
            .badRequest, code: "invalid_query",
            message:
              "`after` must be the `last_event_id` of a previous page (an integer; 0 reads from "
              + "the first event)")
        }
        after = value
      }
      var limit = Self.defaultPageSize
      if let text = parameters["limit"].map(String.init) {
        guard let value = Int(text), (1...Self.maxPageSize).contains(value) else {
          throw APIError(
            .badRequest, code: "invalid_query",
            message: "`limit` must be an integer from 1 to \(Self.maxPageSize)")
        }
        limit = value
      }
      try await EventStream.requireKnown(after, named: "`after`", in: database)
      let events: [QueueEvent]
      do {
        events = try await database.events(after: after, limit: limit)
      } catch let pruned as EventsPruned {
        throw EventStream.prunedError(after, named: "`after`", through: pruned.through)
      }
      var headers = HTTPFields()
      headers[.contentType] = "application/json; charset=utf-8"
      return Response(
        status: .ok, headers: headers,
        body: .init(
          byteBuffer: ByteBuffer(
            string: Self.page(events, after: after, more: events.count == limit))))
    }
  }

  /// The page's JSON; the payloads are stored JSON already and go in as they are.
  static func page(_ events: [QueueEvent], after: Int64, more: Bool) -> String {
    var text = #"{"items":["#
    for (index, event) in events.enumerated() {
      if index > 0 { text += "," }
      text += #"{"created_at":""# + Inquiry.timestamp(event.createdAt) + #"","id":"#
      text += String(event.id) + #","inquiry":"# + event.payload
      text += #","inquiry_id":""# + String(event.inquiryID) + #"","type":""#
      text += event.type.rawValue + #""}"#
    }
    text += #"],"last_event_id":"# + String(events.last?.id ?? after)
    text += #","more":"# + (more ? "true" : "false") + "}"
    return text
  }
}
