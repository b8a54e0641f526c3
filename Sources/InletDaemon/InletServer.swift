import Foundation
import Hummingbird
import InletCore
import InletHTTP
import InletStore
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

#if canImport(Glibc)
  import Glibc
#endif

/// `inlet serve`: one `ServiceGroup` owning the listener (and, as later parts land, the mail
/// pollers and the delivery worker); SIGTERM and SIGINT drain in-flight requests.
public struct InletServer: Sendable {
  public let loaded: LoadedConfig
  public let logger: Logger

  public init(loaded: LoadedConfig, logger: Logger) {
    self.loaded = loaded
    self.logger = logger
  }

  /// Runs until a shutdown signal; migrations run before the port binds.
  public func run() async throws {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

    // A SIGHUP during start-up (a long migration) must not end the process: ReloadService
    // handles it once running.
    signal(SIGHUP, SIG_IGN)
    let notifier = SystemdNotifier.fromEnvironment()
    // An upgrade's migrations on a big file may outlast the unit's TimeoutStartSec=: systemd
    // is told the start goes on (EXTEND_TIMEOUT_USEC=) while they run.
    let extender = StartTimeoutExtender(notifier: notifier)
    let opened: WritingCommand
    do {
      defer { extender.stop() }
      let logger = self.logger
      opened = try WritingCommand(
        path: loaded.databasePath, settings: loaded.config.directorySettings, alone: true,
        migrating: { pending in
          logger.notice(
            "migrating the database", metadata: ["migrations.pending": "\(pending)"])
          extender.start(status: "Migrating the database (\(pending) migrations)")
        })
    }
    defer { withExtendedLifetime(opened) {} }
    let database = opened.database
    logger.info(
      "database ready",
      metadata: [
        "database.path": "\(loaded.databasePath)", "migrations": "\(Migrations.names.count)",
      ])

    let caughtUp = try await database.setDeliveryEnabled(loaded.config.delivery != nil)
    if caughtUp > 0 {
      logger.notice(
        "push delivery is on again: each inquiry changed while it was off is queued as it is now",
        metadata: ["deliveries.queued": "\(caughtUp)"])
    }
    let health = HealthRegistry()
    for channel in loaded.channels {
      health.register(channel: channel.name, definition: channel.definition.name)
    }
    let tokens = Reloadable(loaded.apiTokens)
    let channels = ChannelTable(loaded.channels)
    var router = InletRouter(
      channels: channels,
      processor: HookProcessor(
        phone: PhoneNormalizer(defaultCountry: loaded.config.phone.defaultCountry)),
      database: database, health: health, tokens: { tokens.current },
      metricsText: { registry.emitToBuffer() },
      maxBodyBytes: loaded.config.http.maxBodyBytes)
    router.publicURL = loaded.config.http.publicURL
    router.trustedProxies = loaded.config.http.trustedProxies
    let mailRules = Reloadable(loaded.config.mail.normaliserOptions)
    let processor = router.processor
    router.keptReading = { raw in
      KeptFiles.read(
        raw, mail: mailRules.current, channel: { channels.instance(named: $0) },
        processor: processor)
    }

    let http = loaded.config.http
    let logger = self.logger
    let channelNames = loaded.channels.map(\.name)
    let listener = ListenerAddress()
    let mailboxCount = loaded.config.mailboxes.count
    let app = Application(
      router: router.build(),
      server: .http1(
        configuration: .init(
          idleTimeout: http.idleTimeout.timeAmount)),
      configuration: .init(address: .hostname(http.host, port: http.port), serverName: nil),
      onServerRunning: { channel in
        health.markReady()
        // READY=1 only now: migrations ran, definitions loaded, the port is bound. Before the
        // watchdog learns the address (it pings only then): READY=1 comes first.
        notifier.notify(
          "READY=1",
          "STATUS="
            + Self.statusLine(
              address: channel.localAddress, channels: channelNames.count, mailboxes: mailboxCount))
        listener.set(channel.localAddress)
        logger.notice(
          "inlet is listening",
          metadata: [
            "http.address": "\(channel.localAddress?.description ?? "?")",
            "http.port": "\(channel.localAddress?.port ?? http.port)",
            "channels": "\(channelNames.joined(separator: ","))",
          ])
      },
      logger: logger)

    // A reload may rotate it (a CRM switched to the new key must not reject every push).
    let deliverySecret = Reloadable(loaded.deliverySecret ?? "")
    let mailboxes = MailboxSupervisor(
      loaded: loaded, database: database, health: health, logger: logger)
    let group = ServiceGroup(
      configuration: .init(
        // First: shut down last, after the listener and the mailboxes stopped writing.
        services: [
          .init(service: LogCheckpointService(database: database, logger: logger)),
          .init(service: app),
        ]
          + DeliveryService.services(
            loaded: loaded, database: database, secret: deliverySecret, logger: logger)
          + [
            .init(
              service: CallTimeoutService(database: database, channels: channels, logger: logger)),
            // Once, beside the listener: a large queue must not keep the port closed.
            .init(
              service: QueueRematchService(database: database, logger: logger),
              successTerminationBehavior: .ignore),
            .init(
              service: SubscriptionService(
                channels: channels, publicURL: loaded.config.http.publicURL, health: health,
                logger: logger)),
          ]
          + RetentionService.services(loaded: loaded, database: database, logger: logger)
          + [
            .init(service: mailboxes),
            .init(
              service: ReloadService(
                configPath: loaded.file.path, environment: ProcessInfo.processInfo.environment,
                channels: channels, tokens: tokens, health: health, mailboxes: mailboxes,
                deliverySecret: deliverySecret, listener: listener, mailRules: mailRules,
                notifier: notifier, logger: logger,
                databasePath: loaded.databasePath, started: loaded.config)),
          ]
          // Last: it hears of a shutdown first and tells systemd STOPPING=1 before the drain.
          + [
            .init(
              service: SystemdService(
                notifier: notifier, watchdog: WatchdogSettings.fromEnvironment(),
                database: database, listener: listener, logger: logger))
          ],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger
      )
      .boundingShutdown(to: .seconds(20))
      .namingServicesByType())
    try await group.run()
    logger.notice("inlet stopped")
  }

  /// systemd's one-line `STATUS=`: "Listening on 127.0.0.1:8080, 2 channels, 1 mailbox".
  static func statusLine(address: SocketAddress?, channels: Int, mailboxes: Int) -> String {
    let place = address.map { a in
      guard let ip = a.ipAddress, let port = a.port else { return a.description }
      return a.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
    let channelText = "\(channels) channel\(channels == 1 ? "" : "s")"
    let mailboxText = "\(mailboxes) mailbox\(mailboxes == 1 ? "" : "es")"
    return "Listening on \(place ?? "?"), \(channelText), \(mailboxText)"
  }
}

/// Why the daemon (or a command beside it) would not start, said plainly.
public struct ServerError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// An exclusive lock on `<database>.lock` for the daemon's lifetime: a second `inlet serve` on
/// the same file (a debug run beside the service) stops at once instead of polling the same
/// mailboxes, pushing the same deliveries and switching the other's outbox off.
final class DatabaseLock: Sendable {
  private let descriptor: Int32

  init(databasePath: String) throws {
    let path = databasePath + ".lock"
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    }
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw ServerError("cannot open \(path): \(ErrorText.system(errno))")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let reason = errno
      close(descriptor)
      guard reason == EWOULDBLOCK else {
        throw ServerError("cannot lock \(path): \(ErrorText.system(reason))")
      }
      throw Held(
        description: "another `inlet serve` (or `inlet poll`) uses the database \(databasePath) "
          + "(\(path) is locked); stop it first")
    }
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  /// Another process holds the lock.
  struct Held: Error, CustomStringConvertible {
    let description: String
  }
}

extension ServiceGroupConfiguration {
  /// The configuration with each service logged by its type's name. ServiceLifecycle otherwise
  /// logs `\(service)` at debug level: every stored property, the delivery secret and the
  /// mailboxes' settings among them.
  func namingServicesByType() -> Self {
    var configuration = self
    for index in configuration.services.indices {
      let service = configuration.services[index].service
      configuration.services[index].serviceName = String(describing: type(of: service))
    }
    return configuration
  }

  /// The configuration with its graceful shutdown bounded: a client that stopped reading an
  /// event stream, or a trickled body, cannot hold SIGTERM past systemd's `TimeoutStopSec=`.
  func boundingShutdown(to duration: Duration) -> Self {
    var configuration = self
    configuration.maximumGracefulShutdownDuration = duration
    return configuration
  }
}
