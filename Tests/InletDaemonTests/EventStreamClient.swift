import AsyncHTTPClient
import Foundation
import NIOCore

/// A minimal Server-Sent Events reader over a dedicated HTTP client, so closing it really drops
/// the connection (a disconnect, as a CRM's network would cause).
struct EventStreamClient {
  struct Event: Equatable {
    var id: Int64
    var type: String
    var data: String

    /// `data` as a JSON object.
    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
    }
  }

  /// What one connection saw.
  struct Session {
    var status: Int
    var events: [Event] = []
    var comments: [String] = []
    /// The last event id the stream set (events and id-only blocks), as an EventSource keeps it.
    var lastEventID: Int64?
  }

  let url: String
  let token: String

  /// Connects, reads until `count` events arrived (or `seconds` passed, or `comments` comment
  /// lines arrived), then disconnects. `onOpen` runs once the stream answered.
  func read(
    lastEventID: String?, count: Int, seconds: Int64 = 20, comments: Int = Int.max,
    onOpen: @Sendable () async throws -> Void = {}
  ) async throws -> Session {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
      let session = try await readWith(
        client, lastEventID: lastEventID, count: count, seconds: seconds, comments: comments,
        onOpen: onOpen)
      try await client.shutdown()
      return session
    } catch {
      try? await client.shutdown()
      throw error
    }
  }

  private func readWith(
    _ client: HTTPClient, lastEventID: String?, count: Int, seconds: Int64, comments: Int,
    onOpen: @Sendable () async throws -> Void
  ) async throws -> Session {
    var request = HTTPClientRequest(url: url + "/api/v1/inquiries/stream")
    request.headers.add(name: "Authorization", value: "Bearer \(token)")
    if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
    let deadline = NIODeadline.now() + .seconds(seconds)
    let response = try await client.execute(request, deadline: deadline)
    var session = Session(status: Int(response.status.code))
    guard session.status == 200 else { return session }
    try await onOpen()
    var pending = ""
    for try await buffer in response.body {
      pending += String(buffer: buffer)
      while let range = pending.range(of: "\n\n") {
        let block = String(pending[..<range.lowerBound])
        pending.removeSubrange(..<range.upperBound)
        Self.parse(block, into: &session)
      }
      if session.events.count >= count || session.comments.count >= comments { break }
    }
    return session
  }

  private static func parse(_ block: String, into session: inout Session) {
    var id: Int64?
    var type = "message"
    var data: [String] = []
    for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix(":") {
        session.comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
      } else if line.hasPrefix("id: ") {
        id = Int64(line.dropFirst(4))
      } else if line.hasPrefix("event: ") {
        type = String(line.dropFirst(7))
      } else if line.hasPrefix("data: ") {
        data.append(String(line.dropFirst(6)))
      }
    }
    // As the SSE specification dispatches: the id is kept either way; a block without data is
    // no event.
    if let id { session.lastEventID = id }
    if let id, !data.isEmpty {
      session.events.append(Event(id: id, type: type, data: data.joined(separator: "\n")))
    }
  }
}
