import Foundation
import HTTPTypes
import Hummingbird
import InletStore
import NIOCore
import ServiceLifecycle
import Synchronization

/// `GET /inquiries/stream`: Server-Sent Events of the change sequence.
///
/// Each event's `id:` is its number in the one `events` sequence, so a client that reconnects
/// with `Last-Event-ID` gets exactly what it missed. Without it the stream starts at the newest
/// event (`Last-Event-ID: 0` replays everything); the opening block and every keep-alive carry
/// the position (`id:` without data: the client's last event id, no event), so a client that
/// has not seen an event yet resumes from where it connected too. An id ahead of the newest
/// event (a database restored or replaced under the CRM) is 409, not a silent gap. The database
/// is polled because writers may be other processes (`inlet replay`); an idle poll is one
/// indexed read.
struct EventStream: Sendable {
  let database: InletDatabase
  /// The API tokens as configured now: a stream ends when a reload revokes its token.
  var tokens: @Sendable () -> [APIToken] = { [] }
  var pollInterval: Duration = .milliseconds(200)
  var keepAliveInterval: Duration = .seconds(15)
  /// Streams open at once: each polls the database; beyond this a new one is 503.
  var maxStreams = 64
  private let open = OpenStreams()

  /// The count of open streams, shared by every request of the route.
  final class OpenStreams: Sendable {
    let count = Atomic<Int>(0)
  }

  /// One stream's place in the count, given back when the response is gone — also when its
  /// body never ran (the client left before the head was written).
  final class Slot: Sendable {
    let open: OpenStreams
    init(_ open: OpenStreams) { self.open = open }
    deinit { open.count.wrappingSubtract(1, ordering: .relaxed) }
  }

  /// nginx's per-response switch for proxy buffering.
  static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!

  func register(on group: RouterGroup<InletRequestContext>) {
    group.get("/inquiries/stream") { request, context in
      let header =
        request.headers[HTTPField.Name("Last-Event-ID")!]
        ?? request.uri.queryParameters["last_event_id"].map(String.init)
      let start: Int64
      if let header {
        guard let value = Int64(header.trimmingCharacters(in: .whitespaces)), value >= 0 else {
          throw APIError(
            .badRequest, code: "invalid_last_event_id",
            message: "Last-Event-ID must be the id of an event received earlier (an integer)")
        }
        try await Self.requireKnown(value, named: "Last-Event-ID", in: database)
        start = value
      } else {
        start = try await database.lastEventID()
      }
      let open = self.open
      guard open.count.wrappingAdd(1, ordering: .relaxed).newValue <= maxStreams else {
        open.count.wrappingSubtract(1, ordering: .relaxed)
        throw APIError(
          .serviceUnavailable, code: "too_many_streams",
          message: "\(maxStreams) event streams are open; close one, or retry later",
          headers: [.retryAfter: "30"])
      }
      var headers = HTTPFields()
      headers[.contentType] = "text/event-stream; charset=utf-8"
      headers[.cacheControl] = "no-cache"
      // nginx buffers a proxied answer by default: the events would wait in its buffer until
      // it filled. This tells it to pass each one on at once.
      headers[Self.accelBuffering] = "no"
      let stream = self
      let slot = Slot(open)
      let token = context.apiToken?.token
      return Response(
        status: .ok, headers: headers,
        body: ResponseBody { writer in
          defer { withExtendedLifetime(slot) {} }
          try await stream.run(from: start, token: token, writer: &writer)
          try await writer.finish(nil)
        })
    }
  }

  /// Writes events until the client goes away, the daemon shuts down or a reload revokes the
  /// stream's `token`.
  func run(from start: Int64, token: String? = nil, writer: inout any ResponseBodyWriter)
    async throws
  {
    var last = start
    var lastWrite = ContinuousClock.now
    // A comment at once tells the client (and any proxy) the stream is open.
    try await writer.write(ByteBuffer(string: ": inlet event stream\nid: \(start)\n\n"))
    while !Task.isCancelled && !isShuttingDown() {
      if let token, !tokens().contains(where: { $0.token == token }) {
        try await writer.write(ByteBuffer(string: ": the token was revoked\n\n"))
        return
      }
      let events: [QueueEvent]
      do {
        events = try await database.events(after: last)
      } catch let pruned as EventsPruned {
        // Retention overtook a slow reader: ended, so its reconnect hears the 410.
        try await writer.write(
          ByteBuffer(
            string: ": the events up to \(pruned.through) were deleted (retention.events)\n\n"))
        return
      }
      for event in events {
        try await writer.write(ByteBuffer(string: Self.format(event)))
        last = event.id
      }
      if !events.isEmpty {
        lastWrite = .now
        continue
      }
      if ContinuousClock.now - lastWrite >= keepAliveInterval {
        try await writer.write(ByteBuffer(string: ": keep-alive\nid: \(last)\n\n"))
        lastWrite = .now
      }
      try await Task.sleep(for: pollInterval)
    }
  }

  /// 409 `last_event_id_ahead` for an event id past the newest one: a database restored or
  /// replaced under the client, which must start again rather than wait for a gap to fill.
  /// 410 `events_pruned` for one below what `retention.events` deleted: the events after it
  /// are partly gone, and reading on would skip them silently.
  static func requireKnown(_ id: Int64, named name: String, in database: InletDatabase)
    async throws
  {
    let newest = try await database.lastEventID()
    guard id <= newest else {
      throw APIError(
        .conflict, code: "last_event_id_ahead",
        message:
          "\(name) \(id) is ahead of the newest event (\(newest)): this database is not the one "
          + "the id came from (restored or replaced); read the queue again "
          + "(GET /api/v1/inquiries), then the events after \(newest)")
    }
    let pruned = try await database.prunedEventsThrough()
    guard id >= pruned else { throw prunedError(id, named: name, through: pruned) }
  }

  /// 410 `events_pruned`: what a reader at `id` missed, and where to go on from.
  static func prunedError(_ id: Int64, named name: String, through pruned: Int64) -> APIError {
    APIError(
      .gone, code: "events_pruned",
      message:
        "the events up to \(pruned) were deleted (retention.events), so those after \(name) "
        + "\(id) are incomplete: read the queue again (GET /api/v1/inquiries), then the "
        + "events after \(pruned)",
      details: ["pruned_through": String(pruned)])
  }

  private func isShuttingDown() -> Bool {
    // The listener's connections run inside the ServiceGroup's graceful-shutdown scope; an
    // open stream must end so SIGTERM does not wait for it forever.
    Task.isShuttingDownGracefully
  }

  static func format(_ event: QueueEvent) -> String {
    "id: \(event.id)\nevent: \(event.type.rawValue)\ndata: \(event.payload)\n\n"
  }
}
