import InletHTTP
import InletStore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one ``MailboxService`` per configured mailbox and applies reloads: a removed or changed
/// mailbox is stopped (its in-flight chunk is committed first), a new one started; the others
/// go on undisturbed.
final class MailboxSupervisor: Service, Sendable {
  private struct Running: Sendable {
    var settings: MailboxSettings
    var mail: MailSection
    var task: Task<Void, Never>
  }

  private let database: InletDatabase
  private let health: HealthRegistry
  private let logger: Logger
  private let running = Mutex<[String: Running]>([:])
  private let pending = Mutex<(mailboxes: [MailboxSettings], mail: MailSection)?>(nil)

  init(loaded: LoadedConfig, database: InletDatabase, health: HealthRegistry, logger: Logger) {
    self.database = database
    self.health = health
    self.logger = logger
    pending.withLock { $0 = (loaded.mailboxes, loaded.config.mail) }
  }

  func run() async throws {
    if let initial = pending.withLock({ $0 }) {
      await apply(initial.mailboxes, mail: initial.mail)
    }
    // Until shutdown; then every mailbox stops and is awaited.
    try? await gracefulShutdown()
    let tasks = running.withLock { running -> [Task<Void, Never>] in
      defer { running = [:] }
      return running.values.map(\.task)
    }
    for task in tasks { task.cancel() }
    for task in tasks { await task.value }
  }

  /// Starts, stops and restarts mailboxes so that exactly `mailboxes` run.
  func apply(_ mailboxes: [MailboxSettings], mail: MailSection) async {
    let wanted = Dictionary(uniqueKeysWithValues: mailboxes.map { ($0.name, $0) })
    let stopped = running.withLock { running -> [(String, Task<Void, Never>)] in
      var stop: [(String, Task<Void, Never>)] = []
      for (name, current) in running
      where wanted[name] != current.settings || current.mail != mail {
        stop.append((name, current.task))
        running[name] = nil
      }
      return stop
    }
    // All asked to stop at once, then waited for: one mailbox still connecting (up to its
    // timeout) does not hold back the others' stops, nor the reload, one after another.
    for (_, task) in stopped { task.cancel() }
    for (name, task) in stopped {
      await task.value
      if wanted[name] == nil { health.remove(mailbox: name) }
      logger.notice("mailbox stopped", metadata: ["mailbox": "\(name)"])
    }
    for settings in mailboxes {
      let started = running.withLock { running -> Bool in
        guard running[settings.name] == nil else { return false }
        health.register(mailbox: settings.name)
        let service = MailboxService(
          poller: MailboxPoller(
            settings: settings, database: database, mail: mail, logger: logger),
          health: health)
        running[settings.name] = Running(
          settings: settings, mail: mail, task: Task { await service.run() })
        return true
      }
      if started { logger.info("mailbox started", metadata: ["mailbox": "\(settings.name)"]) }
    }
  }
}
