import Foundation
import InletStore
import Logging

/// `inlet poll`: one pass over the configured mailboxes (or one of them), then exit.
public enum MailPoll {
  /// One mailbox's result, as the command prints it.
  public struct Report: Sendable {
    public var mailbox: String
    public var summary: String?
    public var error: String?
    public var created: Int
    public var seconds: Double
  }

  /// Polls each mailbox in turn; a failing one is reported and does not stop the others.
  public static func run(
    loaded: LoadedConfig, only: String?, logger: Logger
  ) async throws -> [Report] {
    // The daemon polls the same mailboxes: `inlet poll` runs only without it, and holds the
    // lock meanwhile (a daemon started now stops at once, saying why).
    let command = try WritingCommand(
      path: loaded.databasePath, settings: loaded.config.directorySettings, alone: true,
      whenHeld: "`inlet serve` is running on the database \(loaded.databasePath) and does this "
        + "itself; stop it first (`systemctl stop inlet`)")
    let database = command.database
    defer { withExtendedLifetime(command) {} }
    // A first sync stores thousands of letters: the log is copied on the other core meanwhile.
    return try await database.checkpointingInBackground {
      try await pass(loaded: loaded, only: only, database: database, logger: logger)
    }
  }

  private static func pass(
    loaded: LoadedConfig, only: String?, database: InletDatabase, logger: Logger
  ) async throws -> [Report] {
    var reports: [Report] = []
    for settings in loaded.mailboxes where only == nil || settings.name == only {
      let poller = MailboxPoller(
        settings: settings, database: database, mail: loaded.config.mail, logger: logger)
      let started = ContinuousClock.now
      var report = Report(mailbox: settings.name, created: 0, seconds: 0)
      do {
        try await poller.connect()
        let summary = try await poller.pass()
        report.summary = summary.line
        report.created = summary.created
        report.error = summary.afterIngestError
      } catch {
        // (`inlet poll` is the administrator's own terminal: a helper's error output too.)
        report.error =
          "\(error)" + ((error as? MailboxError)?.detail.map { ": \($0)" } ?? "")
      }
      await poller.disconnect()
      report.seconds = (ContinuousClock.now - started).inSeconds
      reports.append(report)
    }
    return reports
  }
}
