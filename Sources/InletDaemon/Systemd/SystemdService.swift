import AsyncHTTPClient
import InletStore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The daemon's side of `Type=notify`: sends `STOPPING=1` as soon as graceful shutdown begins
/// (it is the group's last service, so it hears of the shutdown first) and, when systemd set up
/// a watchdog, `WATCHDOG=1` at half its interval — only while the database takes a write and the
/// listener answers `/health/live`, so a wedged daemon is restarted. `READY=1` is sent by the
/// server once the listener is bound.
public struct SystemdService: Service {
  let notifier: SystemdNotifier
  let watchdog: WatchdogSettings?
  let database: InletDatabase
  let listener: ListenerAddress
  let logger: Logger

  public init(
    notifier: SystemdNotifier, watchdog: WatchdogSettings?, database: InletDatabase,
    listener: ListenerAddress, logger: Logger
  ) {
    self.notifier = notifier
    self.watchdog = watchdog
    self.database = database
    self.listener = listener
    self.logger = logger
  }

  public func run() async throws {
    let notifier = self.notifier
    try await withGracefulShutdownHandler {
      guard notifier.isEnabled, let watchdog else {
        // Nothing to ping; stay in the group until it stops.
        try await gracefulShutdown()
        return
      }
      try await pingWhileHealthy(every: watchdog.pingInterval)
    } onGracefulShutdown: {
      notifier.notify("STOPPING=1", "STATUS=Stopping: draining requests")
    }
  }

  private func pingWhileHealthy(every interval: Duration) async throws {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    // A probe must finish well before systemd's deadline.
    let milliseconds = Int64(interval / .milliseconds(1))
    let timeout = TimeAmount.milliseconds(max(50, min(2_000, milliseconds)))
    await cancelWhenGracefulShutdown {
      var failing = false
      while !Task.isCancelled {
        // Until the listener is bound start-up is still running (TimeoutStartSec= covers it).
        if listener.loopbackURL != nil {
          if let problem = await check(client: client, timeout: timeout) {
            if !failing {
              logger.warning("watchdog withheld", metadata: ["watchdog.problem": "\(problem)"])
            }
            failing = true
          } else {
            if failing { logger.notice("watchdog resumed") }
            failing = false
            notifier.notify("WATCHDOG=1")
          }
        }
        try? await Task.sleep(for: interval)
      }
    }
    try await client.shutdown()
  }

  /// How `operation` ended, or nil when it had not within `limit` (it goes on in the
  /// background: a write waiting for the database cannot be called back).
  static func outcome(
    within limit: Duration, _ operation: @escaping @Sendable () async throws -> Void
  ) async -> Result<Void, any Error>? {
    await withCheckedContinuation { continuation in
      let once = ResumeOnce(continuation)
      Task {
        let result: Result<Void, any Error>
        do {
          try await operation()
          result = .success(())
        } catch {
          result = .failure(error)
        }
        once.resume(returning: result)
      }
      Task {
        try? await Task.sleep(for: limit)
        once.resume(returning: nil)
      }
    }
  }

  /// A continuation resumed by whichever comes first.
  private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<Void, any Error>?, Never>?>

    init(_ continuation: CheckedContinuation<Result<Void, any Error>?, Never>) {
      self.continuation = Mutex(continuation)
    }

    func resume(returning value: Result<Void, any Error>?) {
      continuation.withLock { $0.take() }?.resume(returning: value)
    }
  }

  /// nil when healthy, else what failed.
  private func check(client: HTTPClient, timeout: TimeAmount) async -> String? {
    let database = self.database
    let limit = Duration.nanoseconds(timeout.nanoseconds)
    switch await Self.outcome(within: limit, { try await database.probeWritable() }) {
    case .none: return "database did not commit within \(limit)"
    case .failure(let error)?: return "database not writable: \(error)"
    case .success?: break
    }
    guard let base = listener.loopbackURL else { return "listener not bound" }
    do {
      let response = try await client.execute(
        HTTPClientRequest(url: base + "/health/live"), timeout: timeout)
      _ = try await response.body.collect(upTo: 4096)
      guard response.status == .ok else { return "listener answered \(response.status.code)" }
    } catch {
      return "listener did not answer: \(error)"
    }
    return nil
  }
}
