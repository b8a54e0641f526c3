import Foundation
import InletCore
import Synchronization

/// Fixed-window request counters by key (`site:ip:203.0.113.7`, `site:channel`), in memory: a
/// restart forgets them, which is fine for flood protection.
final class RateLimiter: Sendable {
  private struct Window {
    var start: TimeInterval
    var period: TimeInterval
    var count: Int
    /// Requests refused in this window.
    var refused = 0
  }

  /// A refusal: when to retry, and how many requests this window has refused so far.
  struct Refusal: Equatable {
    var retryAfter: TimeInterval
    var refused: Int
  }

  private let windows = Mutex<[String: Window]>([:])
  /// Beyond this many keys, expired windows are swept (a flood from many addresses).
  private let sweepThreshold: Int

  init(sweepThreshold: Int = 10_000) {
    self.sweepThreshold = sweepThreshold
  }

  /// Counts one request; returns `nil` when allowed, else the refusal.
  func admit(_ key: String, limit: RateLimit, now: Date = Date()) -> Refusal? {
    let time = now.timeIntervalSince1970
    return windows.withLock { windows -> Refusal? in
      if windows.count > sweepThreshold {
        windows = windows.filter { time - $0.value.start < $0.value.period }
      }
      var window = windows[key] ?? Window(start: time, period: limit.period, count: 0)
      if time - window.start >= limit.period {
        window = Window(start: time, period: limit.period, count: 0)
      }
      guard window.count < limit.requests else {
        window.refused += 1
        windows[key] = window
        return Refusal(
          retryAfter: max(1, (window.start + limit.period - time).rounded(.up)),
          refused: window.refused)
      }
      window.count += 1
      windows[key] = window
      return nil
    }
  }
}
