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
    // Per channel: when its next renewal is due, and how many attempts in a row failed.
    var schedule: [String: (due: Date, failures: Int)] = [:]
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
      let now = Date()
      for instance in channels.all {
        guard let spec = instance.definition.subscription else { continue }
        let state = schedule[instance.name]
        if let state, state.due > now { continue }
        if await renew(instance, spec: spec, client: client) {
          schedule[instance.name] = (now.addingTimeInterval(spec.every), 0)
        } else {
          let failures = (state?.failures ?? 0) + 1
          let wait = min(maxRetry, 5 * Double(1 << min(failures - 1, 6)))
          schedule[instance.name] = (now.addingTimeInterval(wait), failures)
        }
      }
      schedule = schedule.filter { name, _ in channels.instance(named: name) != nil }
      // Woken by a graceful shutdown: SIGTERM must not wait out the interval.
      _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: checkInterval) }
    }
    try await client.shutdown()
  }

  /// One renewal; whether the provider took it (2xx).
  func renew(_ instance: ChannelInstance, spec: SubscriptionSpec, client: HTTPClient) async
    -> Bool
  {
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
    var request = HTTPClientRequest(url: spec.url.render(resolve))
    request.method = .init(rawValue: spec.method)
    request.headers.add(name: "User-Agent", value: "inlet")
    for (name, template) in spec.headers.sorted(by: { $0.key < $1.key }) {
      request.headers.add(name: name, value: template.render(resolve))
    }
    if let json = spec.json {
      request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
      request.body = .bytes(ByteBuffer(bytes: ValueJSON.serialize(json.render(resolve))))
    }
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
      metadata: ["inlet.channel": "\(instance.name)", "every_s": "\(Int(spec.every))"])
    health.recordSuccess(channel: instance.name)
    return true
  }
}
