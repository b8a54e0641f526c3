import Dispatch
import Foundation
import InletCore
import InletHTTP
import InletMail
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A setting a reload swaps whole (the API tokens, the mail rules, the delivery signing
/// secret): readers take the value in force, the reload replaces it.
final class Reloadable<Value: Sendable>: Sendable {
  private let value: Mutex<Value>

  init(_ value: Value) { self.value = Mutex(value) }

  var current: Value { value.withLock { $0 } }

  func replace(with value: Value) { self.value.withLock { $0 = value } }
}

/// SIGHUP (`systemctl reload inlet`): reads the config file and the channel definitions again
/// and applies what can change while running — channels and their secrets, API tokens,
/// mailboxes and the mail rules — without dropping a request in flight. An invalid new config
/// is refused with a log line saying why; the running one stays.
struct ReloadService: Service {
  let configPath: String
  let environment: [String: String]
  let channels: ChannelTable
  let tokens: Reloadable<[APIToken]>
  let health: HealthRegistry
  let mailboxes: MailboxSupervisor
  /// The delivery signing secret (`delivery.secret_file`).
  let deliverySecret: Reloadable<String>
  /// Where the listener is bound (for systemd's `STATUS=` line after a reload).
  let listener: ListenerAddress
  /// The mail rules a promoted letter's attachments are read with (a reload may change them).
  let mailRules: Reloadable<MailOptions>
  let notifier: SystemdNotifier
  let logger: Logger
  /// The database the daemon opened (resolved; a reload cannot move it).
  let databasePath: String
  /// The configuration the daemon started with: sections a reload does not apply are compared
  /// with it, and a change is reported rather than silently ignored.
  let started: InletConfig

  func run() async throws {
    let (signals, continuation) = AsyncStream.makeStream(of: Void.self)
    signal(SIGHUP, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
    source.setEventHandler { continuation.yield() }
    source.resume()
    defer { source.cancel() }
    await withGracefulShutdownHandler {
      for await _ in signals {
        await reload()
      }
    } onGracefulShutdown: {
      continuation.finish()
    }
  }

  func reload() async {
    notifier.notify("RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    defer { notifier.notify("READY=1") }
    let loaded: LoadedConfig
    do {
      loaded = try ConfigLoader(environment: environment, running: started).load(path: configPath)
    } catch {
      logger.error(
        "reload refused: the new configuration is invalid; the running one stays",
        metadata: ["error": "\(error)", "config.path": "\(configPath)"])
      // `systemctl status` says so until a reload succeeds (`systemctl reload` itself only
      // sends the signal).
      notifier.notify(
        "STATUS=reload refused: \(Self.firstLine(of: "\(error)")); the running configuration stays")
      return
    }
    var unapplied = Self.changesNeedingRestart(from: started, to: loaded.config)
    if loaded.databasePath != databasePath { unapplied.insert("database.path", at: 0) }
    if !unapplied.isEmpty {
      logger.warning(
        "these settings change only with a restart; the running values stay",
        metadata: ["settings": "\(unapplied.joined(separator: ", "))"])
    }
    channels.replace(with: loaded.channels)
    for channel in loaded.channels {
      health.register(channel: channel.name, definition: channel.definition.name)
    }
    health.retainChannels(Set(loaded.channels.map(\.name)))
    tokens.replace(with: loaded.apiTokens)
    // A rotated signing secret signs the next push, when the rest of `delivery:` stays (a new
    // URL with it waits for the restart: the old receiver must not get the new key's
    // signatures; a removed secret too: pushes are not sent unsigned behind the
    // administrator's back). Under systemd the file is the copy `LoadCredential=` made at
    // start: rotating it takes a restart there.
    if loaded.config.delivery == started.delivery, let secret = loaded.deliverySecret,
      secret != deliverySecret.current
    {
      deliverySecret.replace(with: secret)
      logger.notice("the delivery signing secret was read again and is used from now on")
    }
    // Phones keep being read with the country the daemon started with, letters' too.
    var mail = loaded.config.mail
    mail.defaultCountry = started.phone.defaultCountry
    await mailboxes.apply(loaded.mailboxes, mail: mail)
    mailRules.replace(with: mail.normaliserOptions)
    // `systemctl status` shows the counts the daemon now runs with.
    notifier.notify(
      "STATUS="
        + InletServer.statusLine(
          address: listener.current, channels: loaded.channels.count,
          mailboxes: loaded.mailboxes.count))
    // The files `LoadCredential=` handed over are the copies systemd made at start: a secret
    // rotated in /etc/inlet/credentials is not among them until a restart.
    if environment["CREDENTIALS_DIRECTORY"] != nil {
      logger.notice(
        "secrets handed over by systemd (LoadCredential=) are the copies made at start; a rotated secret file takes effect with systemctl restart inlet"
      )
    }
    logger.notice(
      "configuration reloaded",
      metadata: [
        "channels": "\(loaded.channels.map(\.name).joined(separator: ","))",
        "mailboxes": "\(loaded.mailboxes.map(\.name).joined(separator: ","))",
        "api.tokens": "\(loaded.apiTokens.count)",
      ])
  }

  /// The first line of a message, at most 200 characters (for `STATUS=`, one line).
  static func firstLine(of text: String) -> String {
    String((text.split(whereSeparator: \.isNewline).first ?? "").prefix(200))
  }

  /// The changed settings a reload does not apply (the listener's limits, phone reading,
  /// matching, delivery, logging, retention); channels, API tokens and mailboxes are applied.
  static func changesNeedingRestart(from old: InletConfig, to new: InletConfig) -> [String] {
    var changed: [String] = []
    if old.http.host != new.http.host { changed.append("http.host") }
    if old.http.port != new.http.port { changed.append("http.port") }
    if old.http.maxBodyBytes != new.http.maxBodyBytes { changed.append("http.max_body_bytes") }
    if old.http.idleTimeout != new.http.idleTimeout { changed.append("http.idle_timeout") }
    if old.http.publicURL != new.http.publicURL { changed.append("http.public_url") }
    if old.http.trustedProxies != new.http.trustedProxies {
      changed.append("http.trusted_proxies")
    }
    if old.phone != new.phone { changed.append("phone") }
    if old.matching != new.matching { changed.append("matching") }
    if old.delivery != new.delivery { changed.append("delivery") }
    if old.logging != new.logging { changed.append("logging") }
    if old.retention != new.retention { changed.append("retention") }
    return changed
  }

  static func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
  }
}
