import ArgumentParser
import Foundation
import InletDaemon
import Logging

struct Poll: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "One pass over the mailboxes (every new letter stored exactly once), then exit.")

  @OptionGroup var options: ConfigOption
  @Option(help: "Poll only this mailbox.") var mailbox: String?
  @Flag(help: "Log each chunk's fetch, normalisation and commit times to standard error.")
  var verbose = false

  func run() async throws {
    // Mail only: the listener's definitions and secrets are not read.
    let loaded = try options.load(mailOnly: true)
    if let mailbox, !loaded.mailboxes.contains(where: { $0.name == mailbox }) {
      let known = loaded.mailboxes.map(\.name).joined(separator: ", ")
      throw fail(
        "no mailbox `\(mailbox)` in the config (mailboxes: \(known.isEmpty ? "none" : known))")
    }
    var logger = Logger(label: "inlet")
    logger.logLevel = verbose ? .debug : .warning
    let reports: [MailPoll.Report]
    do {
      reports = try await MailPoll.run(loaded: loaded, only: mailbox, logger: logger)
    } catch let error as ServerError {
      throw fail(error.description)
    }
    var failed = false
    for report in reports {
      let time = String(format: "%.2f s", report.seconds)
      if let error = report.error {
        failed = true
        let done = report.summary.map { "\($0); " } ?? ""
        print("\(report.mailbox): \(done)failing — \(error) (\(time))")
      } else {
        print("\(report.mailbox): \(report.summary ?? "") (\(time))")
      }
    }
    if reports.isEmpty { print("no mailboxes configured") }
    if failed { throw ExitCode(1) }
  }
}
