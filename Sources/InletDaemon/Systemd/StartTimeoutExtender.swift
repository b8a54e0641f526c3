import Foundation
import Synchronization

/// Keeps systemd waiting for a start that takes long for a good reason (migrations): every
/// 30 s, `EXTEND_TIMEOUT_USEC=` for 90 s more and a `STATUS=` line, on a thread of its own (the
/// work it covers blocks the caller). It gives up after an hour: a start stuck for that long
/// is left to the unit's timeout.
final class StartTimeoutExtender: Sendable {
  private let notifier: SystemdNotifier
  private let stopped = Mutex(false)
  private let wake = DispatchSemaphore(value: 0)
  private let finished = DispatchSemaphore(value: 0)
  private let running = Atomic(false)
  let period: Duration
  let limit: Duration

  init(notifier: SystemdNotifier, period: Duration = .seconds(30), limit: Duration = .seconds(3600))
  {
    self.notifier = notifier
    self.period = period
    self.limit = limit
  }

  /// Starts the notifications (once; nothing without `$NOTIFY_SOCKET`).
  func start(status: String) {
    guard notifier.isEnabled, !running.exchange(true, ordering: .relaxed) else { return }
    let extend = "EXTEND_TIMEOUT_USEC=\(Int64(period.components.seconds) * 3 * 1_000_000)"
    let notifier = self.notifier
    let until = ContinuousClock.now + limit
    Thread.detachNewThread { [self] in
      defer { finished.signal() }
      while !stopped.withLock({ $0 }), ContinuousClock.now < until {
        notifier.notify(extend, "STATUS=\(status)")
        // Woken by stop() at once.
        _ = wake.wait(timeout: .now() + .milliseconds(Int(period.components.seconds * 1000)))
      }
    }
  }

  /// Ends the notifications; returns once the thread sends no more.
  func stop() {
    stopped.withLock { $0 = true }
    guard running.load(ordering: .relaxed) else { return }
    wake.signal()
    finished.wait()
  }
}
