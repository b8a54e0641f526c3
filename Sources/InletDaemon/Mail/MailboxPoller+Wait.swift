import Foundation
import InletMail

extension MailboxPoller {
  /// Waits for new mail: IMAP IDLE where the server offers it and `idle` is on, else a sleep.
  /// Returns after at most `timeout` seconds.
  ///
  /// A server that refuses IDLE although it offers it is polled instead (said once, at notice);
  /// one that ends a quiet IDLE session (an idle timeout, a restart) is reconnected to at once,
  /// without counting as a failure — unless it did so within seconds, which is a failure.
  func waitForMail(timeout: Double) async throws {
    let useIdle = settings.idle && isConnected && !idleRefused.load(ordering: .relaxed)
    if useIdle, try await blocking({ $0.capabilities.contains("IDLE") }) {
      let started = ContinuousClock.now
      do {
        let newMail = try await blocking { client in
          try client.idle(
            timeout: timeout, shouldStop: { self.stopRequested.load(ordering: .relaxed) })
        }
        // An IDLE the server ended at once without news (a proxy that answers it `OK`
        // straight away) is not waited on again and again: the rest of the time is slept.
        let waited = ContinuousClock.now - started
        if !newMail, !stopRequested.load(ordering: .relaxed), waited < .seconds(5) {
          let rest = max(0, timeout - waited.inSeconds)
          try await Self.sleep(seconds: rest)
        }
      } catch let error as IMAPError {
        switch error {
        case .no where error.isTemporary:
          // `NO [UNAVAILABLE]`: the server cannot IDLE just now, not never.
          try await Self.sleep(seconds: timeout)
        case .no, .bad, .unsupported:
          idleRefused.store(true, ordering: .relaxed)
          logger.notice(
            "the server refused IDLE although it offers it; polling every poll_interval instead",
            metadata: ["error": "\(error)"])
          try await Self.sleep(seconds: timeout)
        case .bye, .closed:
          guard ContinuousClock.now - started >= .seconds(5) else { throw error }
          logger.info(
            "the server ended the IDLE session; reconnecting", metadata: ["error": "\(error)"])
          await disconnect()
        default:
          throw error
        }
      }
    } else {
      try await Self.sleep(seconds: timeout)
    }
  }

  private static func sleep(seconds: Double) async throws {
    try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
  }
}
