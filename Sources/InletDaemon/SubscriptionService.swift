import AsyncHTTPClient
import Foundation
import InletCore
import InletHTTP
import Logging
import NIOCore
import ServiceLifecycle

/// Keeps provider subscriptions alive (a definition's `subscription:`, Beeline XSI): each
/// channel that has one is renewed at start and then every `every`; a failed renewal is
/// retried after 5 s, doubling up to a minute, and shows on the channel's health. Channels
/// come from the live table, so a reload's new or removed channel is taken up at the next check.
struct SubscriptionService: Service {
  let channels: ChannelTable
  let publicURL: String?
  let health: HealthRegistry
  let logger: Logger
  /// How often the channels are looked at.
  var checkInterval: Duration = .seconds(5)
  /// The longest wait after a failed renewal.
  var maxRetry: TimeInterval = 60

  func run() async throws {
    var configuration = HTTPClient.Configuration()
    configuration.redirectConfiguration = .disallow
    configuration.timeout = .init(connect: .seconds(10), read: .seconds(10))
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    // Per channel: when its next renewal is due, how many attempts in a row failed, and the
    // request it was made with — a reload that changes it (a rotated token in the hook URL, a
    // new API token) renews at once, not when the old subscription's period ends.
    var schedule: [String: (due: Date, failures: Int, request: Request)] = [:]
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      let now = Date()
      for instance in channels.all {
        guard let spec = instance.definition.subscription else { continue }
        let request = Self.request(for: instance, spec: spec, publicURL: publicURL)
        let state = schedule[instance.name]
        if let state, state.due > now, state.request == request { continue }
        let failures = state?.request == request ? state?.failures ?? 0 : 0
        if await renew(instance, request: request, every: spec.every, client: client) {
          schedule[instance.name] = (now.addingTimeInterval(spec.every), 0, request)
        } else {
          let wait = min(maxRetry, 5 * Double(1 << min(failures, 6)))
          schedule[instance.name] = (now.addingTimeInterval(wait), failures + 1, request)
        }
      }
      schedule = schedule.filter { name, _ in channels.instance(named: name) != nil }
      // Woken by a graceful shutdown: SIGTERM must not wait out the interval.
      _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: checkInterval) }
    }
    try await client.shutdown()
  }

  /// A subscription request as the channel's definition, secrets and options render it.
  struct Request: Equatable {
    struct Header: Equatable {
      var name: String
      var value: String
    }

    var method: String
    var url: String
    var headers: [Header]
    var body: [UInt8]?
  }

  static func request(
    for instance: ChannelInstance, spec: SubscriptionSpec, publicURL: String?
  ) -> Request {
    let hook = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
      .map { "\($0)/hooks/\(instance.name)" }
    let resolve: (String, String) -> String? = { namespace, key in
      switch namespace {
      case "secret": return instance.secrets[key]
      case "option": return instance.options[key]?.text
      case "hook": return key == "url" ? hook : nil
      default: return nil
      }
    }
    var headers = [Request.Header(name: "User-Agent", value: "inlet")]
    for (name, template) in spec.headers.sorted(by: { $0.key < $1.key }) {
      headers.append(.init(name: name, value: template.render(resolve)))
    }
    var body: [UInt8]?
    // The URLs (the call's own and the hook's it names): a secret in a query is
    // percent-encoded, or a token with `+` or `/` would be read back as another one.
    if let json = spec.json {
      headers.append(.init(name: "Content-Type", value: "application/json; charset=utf-8"))
      body = ValueJSON.serialize(json.render(resolve, encodingQuery: true))
    }
    return Request(
      method: spec.method, url: spec.url.render(resolve, encodingQuery: true), headers: headers,
      body: body)
  }

  /// One renewal; whether the provider took it (2xx).
  func renew(
    _ instance: ChannelInstance, request made: Request, every: TimeInterval, client: HTTPClient
  ) async -> Bool {
    var request = HTTPClientRequest(url: made.url)
    request.method = .init(rawValue: made.method)
    for header in made.headers { request.headers.add(name: header.name, value: header.value) }
    if let body = made.body { request.body = .bytes(ByteBuffer(bytes: body)) }
    var failure: String?
    do {
      let response = try await client.execute(request, timeout: .seconds(10))
      var read = 0
      for try await chunk in response.body {
        read += chunk.readableBytes
        if read > 1 << 20 { break }
      }
      if !(200..<300).contains(response.status.code) { failure = "HTTP \(response.status.code)" }
    } catch {
      failure = "\(error)"
    }
    if let failure {
      logger.warning(
        "subscription renewal failed; retrying",
        metadata: ["inlet.channel": "\(instance.name)", "error": "\(failure)"])
      health.recordFailure(channel: instance.name, error: "subscription: \(failure)")
      return false
    }
    logger.info(
      "subscription renewed",
      metadata: ["inlet.channel": "\(instance.name)", "every_s": "\(Int(every))"])
    health.recordSuccess(channel: instance.name, request: false)
    return true
  }
}
