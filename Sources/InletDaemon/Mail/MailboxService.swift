import Foundation
import InletHTTP
import InletMail
import InletStore
import Logging
import Metrics

/// One mailbox as a service of the daemon: connect, drain, wait for mail (IDLE or the poll
/// interval), again; on any failure reconnect with exponential backoff and jitter, resuming
/// from the stored cursor. One mailbox failing never stops the others or the listener.
struct MailboxService: Sendable {
  let poller: MailboxPoller
  let health: HealthRegistry
  /// IDLE is re-issued at least this often (RFC 2177 asks for under 29 minutes).
  var idleRenewal: Double = 25 * 60
  var maxBackoff: Double = 300

  /// Runs until the task is cancelled (shutdown, or the mailbox was removed by a reload).
  func run() async {
    let name = poller.settings.name
    let interval = poller.settings.pollInterval.inSeconds
    let lastSuccess = Gauge(
      label: "inlet_imap_last_success_timestamp_seconds", dimensions: [("mailbox", name)])
    let failing = Gauge(label: "inlet_imap_failing", dimensions: [("mailbox", name)])
    let duration = Timer(
      label: "inlet_imap_poll_duration_seconds", dimensions: [("mailbox", name)],
      preferredDisplayUnit: .seconds)
    let lag = Gauge(label: "inlet_imap_lag_seconds", dimensions: [("mailbox", name)])
    let errors = Counter(label: "inlet_imap_errors_total", dimensions: [("mailbox", name)])
    var backoff = 1.0
    // Whether the connection has waited (IDLE or a poll's sleep) since its last pass: the
    // server may have closed it meanwhile (an autologout, a restart).
    var waited = false
    await withTaskCancellationHandler {
      await loop()
    } onCancel: {
      poller.requestStop()
    }
    func loop() async {
      while !Task.isCancelled {
        do {
          if !poller.isConnected {
            try await poller.connect()
            poller.logger.info("connected")
            waited = false
          }
          let started = ContinuousClock.now
          let summary: MailboxPoller.PassSummary
          do {
            summary = try await poller.pass()
          } catch let error as IMAPError where waited && error.endsSession {
            // Closed by the server while the connection waited: no failure of the mailbox.
            // Connected again at once, at the top of the loop; a failure of the new session
            // counts as any.
            poller.logger.info(
              "the server closed the connection while it waited; reconnecting",
              metadata: ["error": "\(error)"])
            await poller.disconnect()
            continue
          }
          waited = false
          let elapsed = (ContinuousClock.now - started).components
          duration.recordNanoseconds(
            elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
          if let newest = summary.newestArrival {
            // From the server's arrival time of the newest letter to its commit.
            lag.record(max(0, Date().timeIntervalSince(newest)))
          }
          if summary.fetched > 0 {
            poller.logger.info("letters stored", metadata: ["summary": "\(summary.line)"])
          }
          if let refused = summary.afterIngestError {
            // Mail is still ingested; the mailbox shows as failing until the server accepts
            // the owed after_ingest again.
            errors.increment()
            failing.record(1)
            health.recordFailure(channel: name, error: refused)
          } else {
            // (A pass that stored nothing proves nothing of the database.)
            health.recordSuccess(channel: name, wrote: summary.fetched > 0)
            lastSuccess.record(Date().timeIntervalSince1970)
            failing.record(0)
          }
          try await poller.waitForMail(timeout: min(interval, idleRenewal))
          waited = true
          // Only a pass and a wait that both went through reset the backoff: a server that
          // fails every IDLE is not reconnected to once a second.
          backoff = 1
        } catch is CancellationError {
          break
        } catch {
          if Task.isCancelled { break }
          errors.increment()
          failing.record(1)
          health.recordFailure(channel: name, error: "\(error)")
          var metadata: Logger.Metadata = [
            "error": "\(error)", "retry_in_s": "\(Int(backoff))",
          ]
          if let detail = (error as? MailboxError)?.detail { metadata["detail"] = "\(detail)" }
          poller.logger.error("mailbox failing; reconnecting", metadata: metadata)
          await poller.disconnect()
          let jittered = backoff * Double.random(in: 0.5...1.0)
          backoff = min(backoff * 2, maxBackoff)
          do {
            try await Task.sleep(for: .milliseconds(Int64(jittered * 1000)))
          } catch {
            break
          }
        }
      }
      await poller.disconnect()
    }
  }
}
