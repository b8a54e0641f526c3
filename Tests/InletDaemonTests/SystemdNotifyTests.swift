import Foundation
import InletStore
import Testing

@testable import InletDaemon

#if canImport(Glibc)
  import Glibc
#endif

/// `Type=notify` against a real datagram socket: READY=1 once the port answers, WATCHDOG=1 at
/// half of `WATCHDOG_USEC` while healthy, STOPPING=1 on SIGTERM.
@Suite(.serialized)
struct SystemdNotifyTests {
  @Test(arguments: [false, true])
  func readyWatchdogStopping(abstract: Bool) async throws {
    let notify = try NotifySocket(abstract: abstract)
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "1000000"]
    let port = daemon.port
    async let started: Void = daemon.start()

    // As long as the harness waits for the port: start-up on a machine busy with other suites.
    let first = try await notify.receive(timeout: .seconds(90))
    // The port answers the moment READY=1 arrives (a refused connection fails at once; the
    // answer itself may take a while on a loaded machine).
    let readyStatus = DaemonHarness.probe(port: port, seconds: 10)
    try await started
    let ready = try #require(first, "no notification: \(daemon.log())")
    let lines = ready.split(separator: "\n").map(String.init)
    #expect(lines.contains("READY=1"), "\(ready)")
    #expect(readyStatus == 200)
    let status = try #require(lines.first { $0.hasPrefix("STATUS=") })
    #expect(status == "STATUS=Listening on 127.0.0.1:\(port), 1 channel, 0 mailboxes")

    // Pings every 500 ms: at least three in 5 s, even on a machine busy with other suites.
    var pings = 0
    let until = ContinuousClock.now + .milliseconds(5000)
    while ContinuousClock.now < until {
      if let message = try await notify.receive(timeout: until - ContinuousClock.now),
        message == "WATCHDOG=1"
      {
        pings += 1
      }
    }
    // And those the socket holds: a test woken late must not miss pings sent in time.
    while let message = try await notify.receive(timeout: .zero) {
      if message == "WATCHDOG=1" { pings += 1 }
    }
    #expect(pings >= 3, "\(pings) pings")

    // A reload that adds a channel: `systemctl status` shows the new count.
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config += """

        - name: second
          definition: generic
          token_file: site-token
      """
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    kill(try #require(daemon.process?.processIdentifier), SIGHUP)
    let reload = try await notify.receive(until: "READY=1", timeout: .seconds(30))
    let reloadLines = reload.flatMap { $0.split(separator: "\n").map(String.init) }
    #expect(reloadLines.contains { $0.hasPrefix("RELOADING=1") }, "\(reload)")
    #expect(
      reloadLines.contains("STATUS=Listening on 127.0.0.1:\(port), 2 channels, 0 mailboxes"),
      "\(reload)")

    // A refused reload: `systemctl status` says so (and `READY=1` ends the reload all the same).
    try config.replacingOccurrences(of: "definition: generic", with: "definition: nonesuch")
      .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    kill(try #require(daemon.process?.processIdentifier), SIGHUP)
    let refused = try await notify.receive(until: "READY=1", timeout: .seconds(30))
    let refusedLines = refused.flatMap { $0.split(separator: "\n").map(String.init) }
    let refusal = try #require(
      refusedLines.first { $0.hasPrefix("STATUS=reload refused: ") }, "\(refused)")
    #expect(refusal.contains("nonesuch"), "\(refusal)")
    #expect(refusal.hasSuffix("the running configuration stays"), "\(refusal)")

    #expect(daemon.stop() == 0)
    let rest = try await notify.receive(until: "STOPPING=1", timeout: .seconds(5))
    #expect(rest.last?.split(separator: "\n").first == "STOPPING=1", "\(rest)")
  }

  /// The watchdog's probe gives up waiting (a write stuck behind a long batch or a lock) rather
  /// than holding the pings until systemd's deadline has passed.
  @Test func probeOutcomeWithinALimit() async {
    let stuck = await SystemdService.outcome(within: .milliseconds(100)) {
      try await Task.sleep(for: .seconds(30))
    }
    #expect(stuck == nil)
    let quick = await SystemdService.outcome(within: .seconds(5)) {}
    if case .success? = quick {
    } else {
      Issue.record("expected success, got \(String(describing: quick))")
    }
    struct Refused: Error {}
    let failed = await SystemdService.outcome(within: .seconds(5)) { throw Refused() }
    if case .failure? = failed {
    } else {
      Issue.record("expected failure, got \(String(describing: failed))")
    }
  }

  @Test func watchdogFollowsEnvironment() {
    #expect(WatchdogSettings.fromEnvironment([:]) == nil)
    #expect(
      WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "30000000"], pid: 7)?.pingInterval
        == .seconds(15))
    #expect(
      WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "8"], pid: 7)
        == nil)
    #expect(
      WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "7"], pid: 7)
        != nil)
    #expect(!SystemdNotifier.fromEnvironment([:]).notify("READY=1"))
  }

  @Test func noWatchdogWithoutItsVariable() async throws {
    let notify = try NotifySocket()
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["NOTIFY_SOCKET": notify.address]
    try await daemon.start()
    let ready = try await notify.receive(until: "READY=1", timeout: .seconds(10))
    #expect(!ready.isEmpty)
    #expect(try await notify.receive(timeout: .milliseconds(600)) == nil)
    #expect(daemon.stop() == 0)
    let rest = try await notify.receive(until: "STOPPING=1", timeout: .seconds(5))
    #expect(rest.count == 1)
  }

  /// An upgrade: the daemon finds a file an older version wrote and migrates it before it
  /// is ready, telling systemd the start goes on (a big file may outlast TimeoutStartSec=).
  /// A fresh file (`readyWatchdogStopping`) sends no such thing.
  @Test func migrationExtendsTheStart() async throws {
    let notify = try NotifySocket()
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try FileManager.default.createDirectory(
      atPath: (daemon.databasePath as NSString).deletingLastPathComponent,
      withIntermediateDirectories: true)
    let names = Migrations.names
    try InletDatabase(path: daemon.databasePath).migrate(upTo: names[names.count - 3])
    daemon.environment = ["NOTIFY_SOCKET": notify.address]
    try await daemon.start()
    let messages = try await notify.receive(until: "READY=1", timeout: .seconds(30))
    let first = try #require(messages.first).split(separator: "\n").map(String.init)
    #expect(
      first == ["EXTEND_TIMEOUT_USEC=90000000", "STATUS=Migrating the database (2 migrations)"])
    #expect(messages.last?.contains("READY=1") == true, "\(messages)")
    #expect(daemon.log().contains("migrating the database"))
    #expect(try InletDatabase(path: daemon.databasePath).isMigrated())
    #expect(daemon.stop() == 0)
  }

  /// Another process holds SQLite's write lock: the write probe waits (up to the 10 s busy
  /// timeout, then fails) and no WATCHDOG=1 goes out until the lock is released.
  @Test func watchdogWithheldWhileTheDatabaseIsLocked() async throws {
    let notify = try NotifySocket()
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": "1000000"]
    try await daemon.start()
    let healthy = try await notify.receive(until: "WATCHDOG=1", timeout: .seconds(15))
    #expect(healthy.last == "WATCHDOG=1")

    let lock = try WriteLock(daemon.databasePath)
    // Pings sent before the lock (queued in the socket while the test started sqlite3 on a
    // loaded machine) and one already on its way may still arrive: read them until the socket
    // stays quiet for longer than the 500 ms ping interval; then none while the lock is held.
    var queued = 0
    while try await notify.receive(timeout: .milliseconds(1200)) != nil {
      queued += 1
      #expect(queued < 100, "pings never stopped while the database was locked")
      if queued >= 100 { break }
    }
    var pings = 0
    let until = ContinuousClock.now + .milliseconds(2000)
    while ContinuousClock.now < until {
      if try await notify.receive(timeout: until - ContinuousClock.now) == "WATCHDOG=1" {
        pings += 1
      }
    }
    #expect(pings == 0)

    try lock.release()
    let resumed = try await notify.receive(until: "WATCHDOG=1", timeout: .seconds(12))
    #expect(resumed.last == "WATCHDOG=1")
    #expect(daemon.stop() == 0)
  }
}
