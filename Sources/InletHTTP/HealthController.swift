import Foundation
import HTTPTypes
import Hummingbird
import InletCore
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
      var text = metricsText()
      // Gauges read from the database at scrape time: they cannot drift from the truth. When
      // the read fails they are left out, and `inlet_store_up 0` says why (an alert on the
      // queue's depth would otherwise only see its series vanish).
      let counts = try? await database.counts()
      text += Self.storeUp(counts != nil)
      if let counts { text += Self.gauges(counts) }
      return Response(
        status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
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

  /// The queue depth by inquiry status and the raw items by status, in the text format.
  static func storeUp(_ up: Bool) -> [UInt8] {
    Array(
      """
      # HELP inlet_store_up Whether the database could be read at this scrape (1) or not (0).
      # TYPE inlet_store_up gauge
      inlet_store_up \(up ? 1 : 0)

      """.utf8)
  }

  static func gauges(_ counts: InletDatabase.Counts) -> [UInt8] {
    var lines = [
      "# HELP inlet_queue_depth Inquiries in the lead queue by status.",
      "# TYPE inlet_queue_depth gauge",
    ]
    let inquiryStatuses = Set(InquiryStatus.allCases.map(\.rawValue)).union(counts.inquiries.keys)
    for status in inquiryStatuses.sorted() {
      lines.append("inlet_queue_depth{status=\"\(status)\"} \(counts.inquiries[status] ?? 0)")
    }
    lines += [
      "# HELP inlet_raw_items Raw journal items by status (quarantined: could not be parsed).",
      "# TYPE inlet_raw_items gauge",
    ]
    let rawStatuses = Set(RawItemStatus.allCases.map(\.rawValue)).union(counts.rawItems.keys)
    for status in rawStatuses.sorted() {
      lines.append("inlet_raw_items{status=\"\(status)\"} \(counts.rawItems[status] ?? 0)")
    }
    if let deliveries = counts.deliveries {
      lines += [
        "# HELP inlet_deliveries Pushes to the CRM still to go (pending) and given up (dead).",
        "# TYPE inlet_deliveries gauge",
      ]
      for status in deliveries.keys.sorted() {
        lines.append("inlet_deliveries{status=\"\(status)\"} \(deliveries[status] ?? 0)")
      }
    }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
  }

  static func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
    let data = (try? JSONEncoder().encode(object)) ?? Data("{}".utf8)
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(
      status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}
