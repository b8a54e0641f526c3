import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// A CRM stand-in: a Hummingbird app on a free loopback port that records every delivery and
/// answers as `behaviour` says (fail, hang past the client's timeout, or accept).
final class DeliveryReceiver: Sendable {
  enum Answer: Sendable {
    case accept
    case fail(Int)
    /// Fails with this status and a `Retry-After` header of this value.
    case failRetryAfter(Int, String)
    /// Sleeps before answering 200 (longer than inlet's timeout makes the attempt fail).
    case hang(Duration)
    /// Answers 200 at once, sends a few bytes of the body and then nothing for this long.
    case stallBody(Duration)
  }

  struct Received: Sendable {
    var deliveryID: String
    var signature: String
    var event: String
    var body: [UInt8]
    /// What the receiver answered (200 also for a hang the client gave up on).
    var answered: Int
    var method: String = "POST"
    var headers: [String: String] = [:]
    /// When it arrived.
    var at = Date()

    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
    var inquiryID: String? { (json["inquiry"] as? [String: Any])?["id"] as? String }
    var eventID: Int? { (json["event_id"] as? String).flatMap(Int.init) }
  }

  let port: Int
  private let state = Mutex<(received: [Received], count: Int)>(([], 0))
  private let behaviour: @Sendable (_ requestNumber: Int) -> Answer

  init(behaviour: @escaping @Sendable (_ requestNumber: Int) -> Answer) throws {
    self.port = try DaemonHarness.freePort()
    self.behaviour = behaviour
  }

  var url: String { "http://127.0.0.1:\(port)/hs/leads" }

  /// Every request so far, in arrival order.
  var received: [Received] { state.withLock { $0.received } }

  /// Runs `body` while the receiver serves.
  func serving<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    let router = Router()
    let handle: @Sendable (Request) async throws -> Response = { request in
      let bytes = try await request.body.collect(upTo: 1 << 22)
      let number = self.state.withLock { state -> Int in
        state.count += 1
        return state.count
      }
      let answer = self.behaviour(number)
      let status: Int
      switch answer {
      case .accept, .hang, .stallBody: status = 200
      case .fail(let code), .failRetryAfter(let code, _): status = code
      }
      // Recorded on arrival, so the order seen here is the order inlet sent in.
      var headers: [String: String] = [:]
      for field in request.headers { headers[field.name.canonicalName] = field.value }
      let received = Received(
        deliveryID: request.headers[HTTPField.Name("X-Inlet-Delivery")!] ?? "",
        signature: request.headers[HTTPField.Name("X-Inlet-Signature")!] ?? "",
        event: request.headers[HTTPField.Name("X-Inlet-Event")!] ?? "",
        body: Array(buffer: bytes), answered: status, method: request.method.rawValue,
        headers: headers)
      self.state.withLock { $0.received.append(received) }
      if case .hang(let duration) = answer { try await Task.sleep(for: duration) }
      if case .stallBody(let duration) = answer {
        return Response(
          status: .ok,
          body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "{\"ok\":"))
            try await Task.sleep(for: duration)
            try await writer.write(ByteBuffer(string: "true}"))
            try await writer.finish(nil)
          })
      }
      if case .failRetryAfter(_, let value) = answer {
        return Response(status: .init(code: status), headers: [.retryAfter: value])
      }
      return Response(status: .init(code: status))
    }
    router.post("/hs/leads") { request, _ in try await handle(request) }
    router.put("/hs/leads") { request, _ in try await handle(request) }
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        try await app.runService(gracefulShutdownSignals: [])
        return nil
      }
      let result = try await body()
      group.cancelAll()
      return result
    }
  }
}
