import AsyncHTTPClient
import Foundation
import InletCore
import InletStore
import Logging
import Metrics
import NIOCore
import ServiceLifecycle

/// Drains the delivery outbox: POSTs each change to the CRM's URL, signed, at least once and in
/// order per inquiry; retries with exponential backoff and jitter; dead-letters a delivery after
/// `max_attempts`. Progress lives only in the database, so a crash at any point re-sends.
public struct DeliveryService: Service {
  /// What the service needs from `delivery:`.
  public struct Settings: Sendable {
    public var url: String
    public var secret: String
    public var maxAttempts: Int
    public var timeout: Duration
    public var backoff: Duration
    public var maxBackoff: Duration
    /// Deliveries in flight at the same time, each of another inquiry (each inquiry's
    /// deliveries stay sequential).
    public var concurrency = 8
    /// How often an idle outbox is checked; writers may be other processes.
    public var pollInterval: Duration = .milliseconds(200)

    public init(
      url: String, secret: String, maxAttempts: Int, timeout: Duration, backoff: Duration,
      maxBackoff: Duration
    ) {
      self.url = url
      self.secret = secret
      self.maxAttempts = maxAttempts
      self.timeout = timeout
      self.backoff = backoff
      self.maxBackoff = maxBackoff
    }
  }

  let database: InletDatabase
  let settings: Settings
  let logger: Logger
  /// The signing secret as a reload last read it (`delivery.secret_file` rotated while
  /// running); ``Settings/secret`` until then.
  var rotatedSecret: Reloadable<String>?
  private let delivered = Counter(
    label: "inlet_delivery_attempts_total", dimensions: [("result", "delivered")])
  private let failed = Counter(
    label: "inlet_delivery_attempts_total", dimensions: [("result", "failed")])
  private let dead = Counter(label: "inlet_deliveries_dead_total")

  public init(database: InletDatabase, settings: Settings, logger: Logger) {
    self.database = database
    self.settings = settings
    self.logger = logger
    target = Self.target(settings.url)
  }

  /// Where deliveries go: `delivery.url` without its credentials, and those as a Basic
  /// `Authorization` header (`https://user:password@crm.example.ru/hs/leads`, as a 1C HTTP
  /// service is reached): the HTTP client would drop them from the URL, unsent.
  let target: (url: String, authorization: String?)

  static func target(_ url: String) -> (url: String, authorization: String?) {
    guard var components = URLComponents(string: url), let user = components.user else {
      return (url, nil)
    }
    let credentials = user + ":" + (components.password ?? "")
    components.user = nil
    components.password = nil
    return (
      components.string ?? url, "Basic " + Data(credentials.utf8).base64EncodedString()
    )
  }

  public func run() async throws {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    // The request's deadline covers the answer's head only: a CRM that sends its head and
    // then stalls would hold the attempt, and every later delivery, for ever. A read that
    // waits longer than `timeout` fails the attempt.
    let limit = settings.timeout.timeAmount
    configuration.timeout = .init(connect: limit, read: limit)
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    await drain(client)
    try await client.shutdown()
  }

  /// What a task of the drain's group reports.
  private enum Finished: Sendable {
    /// A delivery's attempt ended; whether its outcome was stored.
    case delivery(id: String, recorded: Bool)
    /// The poll interval passed: look for newly due deliveries while slots are free.
    case tick
  }

  /// Loops until graceful shutdown; storage errors are logged and retried, never fatal.
  ///
  /// Up to `concurrency` deliveries are in flight, each of another inquiry. A slot that frees
  /// is filled at once, so one CRM answer that is slow to come (up to `timeout`) holds back
  /// only its own inquiry's later changes, not the rest of the outbox.
  private func drain(_ client: HTTPClient) async {
    await withTaskGroup(of: Finished.self) { group in
      var inFlight: Set<String> = []
      var ticking = false
      var storeFailures = 0
      while !Task.isShuttingDownGracefully && !Task.isCancelled {
        if inFlight.count < settings.concurrency {
          do {
            let due = try await database.dueDeliveries(
              now: Date(), limit: settings.concurrency - inFlight.count, excluding: inFlight)
            for item in due where inFlight.count < settings.concurrency {
              let id = item.delivery.id
              guard inFlight.insert(id).inserted else { continue }
              group.addTask {
                .delivery(id: id, recorded: await self.deliver(item, client: client))
              }
            }
          } catch {
            if Task.isCancelled { break }
            logger.error("delivery outbox unavailable", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
            continue
          }
        }
        // With a slot free, wake after the poll interval even while every delivery in
        // flight is still waiting for its answer.
        if inFlight.count < settings.concurrency && !ticking {
          ticking = true
          let interval = settings.pollInterval
          group.addTask {
            try? await Task.sleep(for: interval)
            return .tick
          }
        }
        guard let finished = await group.next() else { continue }
        switch finished {
        case .tick:
          ticking = false
        case .delivery(let id, let recorded):
          inFlight.remove(id)
          if recorded {
            storeFailures = 0
          } else {
            // The outcome could not be stored (disk full, a long write lock): the delivery
            // is due again at once — wait rather than re-send it in a loop.
            storeFailures += 1
            try? await Task.sleep(for: .seconds(min(30, 1 << min(storeFailures - 1, 5))))
          }
        }
      }
      // Deliveries in flight finish (or are cut off by the shutdown) before the client closes.
      await group.waitForAll()
    }
  }

  /// One attempt; its outcome is committed before the next attempt of the same inquiry.
  /// Returns whether the outcome was stored.
  private func deliver(_ item: DueDelivery, client: HTTPClient) async -> Bool {
    let delivery = item.delivery
    let body = Self.body(delivery, payload: item.payload)
    let timestamp = Int(Date().timeIntervalSince1970)
    var request = HTTPClientRequest(url: target.url)
    request.method = .POST
    if let authorization = target.authorization {
      request.headers.add(name: "Authorization", value: authorization)
    }
    request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
    request.headers.add(name: "User-Agent", value: "inlet")
    request.headers.add(name: "X-Inlet-Delivery", value: delivery.id)
    request.headers.add(name: "X-Inlet-Event", value: delivery.event.rawValue)
    let secret = rotatedSecret?.current ?? settings.secret
    if !secret.isEmpty {
      request.headers.add(
        name: "X-Inlet-Signature",
        value: DeliverySignature.header(secret: secret, timestamp: timestamp, body: body))
    }
    request.body = .bytes(ByteBuffer(bytes: body))
    var failure: String?
    // A 429 or 503 saying when to come back: then, and the attempt is not counted.
    var retryAfter: TimeInterval?
    // A refusal of this body itself (413: over the CRM's size limit; 422: a record it cannot
    // take): the same bytes would be refused again, so it is dead at once, for a discard.
    var refusedForGood = false
    do {
      let response = try await client.execute(request, timeout: settings.timeout.timeAmount)
      // The answer's body is read and dropped (its first MiB: a 2xx with a long body is
      // still delivered); a stall in it fails the attempt through the read timeout.
      var read = 0
      for try await chunk in response.body {
        read += chunk.readableBytes
        if read > 1 << 20 { break }
      }
      if !(200..<300).contains(response.status.code) {
        failure = "HTTP \(response.status.code)"
        refusedForGood = [413, 422].contains(response.status.code)
        if [429, 503].contains(response.status.code),
          let value = response.headers.first(name: "Retry-After")
        {
          retryAfter = RetryAfter.seconds(value, now: Date())
          if let retryAfter { failure! += ", Retry-After \(Int(retryAfter)) s" }
        }
      }
    } catch {
      // Cut off by the daemon's shutdown, not refused by the CRM: no attempt is counted (the
      // last one would make it dead for inlet's sake); it is sent again after the restart.
      if Task.isCancelled {
        logger.notice(
          "delivery cut off by the shutdown; it is sent again after the restart",
          metadata: ["delivery.id": "\(delivery.id)"])
        return true
      }
      failure = "\(error)"
    }
    do {
      if let failure {
        let counted = Self.counts(
          retryAfter: retryAfter, createdAt: delivery.createdAt, now: Date())
        let attempts = delivery.attempts + (counted ? 1 : 0)
        // Asked to wait: as long as asked (a day at most), never sooner than the backoff.
        let wait = max(backoff(afterAttempt: max(attempts, 1)), retryAfter ?? 0)
        let retryAt =
          refusedForGood || counted && attempts >= settings.maxAttempts
          ? nil : Date().addingTimeInterval(wait)
        try await database.markFailed(
          delivery.id, error: failure, retryAt: retryAt, counted: counted)
        failed.increment()
        if retryAt == nil { dead.increment() }
        logger.warning(
          retryAt == nil ? "delivery dead-lettered" : "delivery failed; will retry",
          metadata: [
            "delivery.id": "\(delivery.id)", "inquiry.id": "\(delivery.inquiryID)",
            "attempts": "\(attempts)", "error": "\(failure)",
          ])
      } else {
        try await database.markDelivered(delivery.id, at: Date())
        delivered.increment()
      }
      return true
    } catch {
      // The attempt stays pending and is re-sent: at-least-once, never lost.
      logger.error(
        "could not record a delivery attempt",
        metadata: ["delivery.id": "\(delivery.id)", "error": "\(error)"])
      return false
    }
  }

  /// Whether a failed attempt counts among `max_attempts`: not when the receiver said when to
  /// come back (`Retry-After`), for a day of the delivery's life at most — one that says
  /// "later" for ever must end `dead` (alerted, retried or discarded by hand) like any other,
  /// not hold the inquiry's later changes unseen.
  static func counts(retryAfter: TimeInterval?, createdAt: Date, now: Date) -> Bool {
    retryAfter == nil || now.timeIntervalSince(createdAt) > RetryAfter.longest
  }

  /// `backoff · 2^(attempt-1)`, capped, times a random factor in [0.5, 1] so receivers that
  /// come back are not hit by every retry at once.
  func backoff(afterAttempt attempt: Int) -> TimeInterval {
    let base = settings.backoff.inSeconds
    let cap = settings.maxBackoff.inSeconds
    let exponential = min(cap, base * pow(2, Double(min(attempt - 1, 40))))
    return exponential * Double.random(in: 0.5...1.0)
  }

  /// The JSON body: the delivery's ids, the event type and the inquiry as it was after the change.
  static func body(_ delivery: Delivery, payload: String) -> [UInt8] {
    let head =
      #"{"delivery_id":"\#(delivery.id)","event":"\#(delivery.event.rawValue)","#
      + #""event_id":"\#(delivery.eventID)","inquiry":"#
    return Array((head + payload + "}").utf8)
  }
}
