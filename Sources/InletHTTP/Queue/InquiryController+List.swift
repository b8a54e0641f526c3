import Foundation
import Hummingbird
import InletCore
import InletStore

extension InquiryController {
  /// The largest page a client may ask for.
  static let maxPageSize = 500

  /// `GET /inquiries`: a page of the queue, oldest first (`new`: as inquiries entered it), with the cursor of the next page.
  func registerList(on group: RouterGroup<InletRequestContext>) {
    group.get("/inquiries") { request, _ in
      let query = try Self.queueQuery(request.uri.queryParameters)
      let page = try await database.page(query)
      // `resume` ("what arrived since") only where entries join the listing as they arrive.
      let resume = query.resumable ? page.position.token : nil
      return try Self.json(Page(items: page.items, next: page.next?.token, resume: resume))
    }
  }

  typealias Page = APIPage<Inquiry>

  static func queueQuery(_ parameters: Parameters) throws -> QueueQuery {
    try requireKnown(parameters, ["status", "channel", "kind", "since", "after", "limit"])
    var query = QueueQuery()
    if let status = parameters["status"].map(String.init) {
      guard let filter = ListFilter(rawValue: status) else {
        throw badQuery(
          "`status` must be one of: \(ListFilter.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      query.filter = filter
    }
    if let channel = parameters["channel"].map(String.init), !channel.isEmpty {
      query.channel = channel
    }
    if let kind = parameters["kind"].map(String.init) {
      guard InquiryKind(rawValue: kind) != nil else {
        throw badQuery(
          "`kind` must be one of: \(InquiryKind.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      query.kind = kind
    }
    if let since = parameters["since"].map(String.init) {
      guard let date = RFC3339.parse(since) else {
        throw badQuery("`since` must be an RFC 3339 time such as 2026-11-29T08:00:00Z")
      }
      query.since = date
    }
    if let after = parameters["after"].map(String.init) {
      guard let cursor = QueueCursor(token: after) else {
        throw APIError(
          .badRequest, code: "invalid_cursor",
          message: "`after` must be the `next` or `resume` value of a previous page")
      }
      query.after = cursor
    }
    if let limit = parameters["limit"].map(String.init) {
      guard let value = Int(limit), (1...maxPageSize).contains(value) else {
        throw badQuery("`limit` must be an integer from 1 to \(maxPageSize)")
      }
      query.limit = value
    }
    return query
  }

  /// 400 `invalid_query` for a parameter the endpoint does not know: a misspelt one
  /// (`cursor=` for `after=`, `stauts=`) would otherwise be ignored, and a client paging with
  /// it would get the first page again for ever.
  static func requireKnown(_ parameters: Parameters, _ known: [String]) throws {
    for parameter in parameters where !known.contains(String(parameter.key)) {
      throw badQuery(
        "unknown query parameter `\(parameter.key)`; known: \(known.joined(separator: ", "))")
    }
  }

  static func badQuery(_ message: String) -> APIError {
    APIError(.badRequest, code: "invalid_query", message: message)
  }
}
