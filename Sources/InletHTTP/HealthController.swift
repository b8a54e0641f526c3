import Foundation
import HTTPTypes
import Hummingbird
import InletStore
import NIOCore

/// `/health/live`, `/health/ready`, `/health` and `/metrics`.
struct HealthController {
  let health: HealthRegistry
  let database: InletDatabase
  let metricsText: @Sendable () -> [UInt8]

  func register(on router: Router<InletRequestContext>) {
    router.get("/health/live") { _, _ in
      Self.json(.ok, ["status": "ok"])
    }
    router.get("/health/ready") { _, _ in
      guard health.isReady else {
        throw APIError(
          .serviceUnavailable, code: "not_ready",
          message: "inlet is starting (migrations, listener)")
      }
      return Self.json(.ok, ["status": "ready"])
    }
    router.get("/health") { _, _ in try await overall() }
    router.get("/metrics") { _, _ in
      var headers = HTTPFields()
      headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
      return Response(
        status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metricsText())))
    }
  }

  /// The health document: every channel's state, the database, the queue.
  struct Document: Codable {
    var status: String
    var ready: Bool
    var database: String
    var queue: InletDatabase.Counts?
    var channels: [HealthRegistry.State]
  }

  private func overall() async throws -> Response {
    var databaseState = "ok"
    var counts: InletDatabase.Counts?
    do {
      counts = try await database.counts()
    } catch {
      databaseState = "failing: \(error)"
    }
    let channels = health.snapshot
    let failing = databaseState != "ok" || channels.contains { $0.status == "failing" }
    let document = Document(
      status: failing ? "failing" : "ok", ready: health.isReady, database: databaseState,
      queue: counts, channels: channels)
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(
      status: databaseState == "ok" ? .ok : .serviceUnavailable, headers: headers,
      body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(document))))
  }

  static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
    let data = (try? JSONEncoder().encode(object)) ?? Data("{}".utf8)
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(
      status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}
