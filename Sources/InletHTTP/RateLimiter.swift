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

  private struct State {
    var windows: [String: Window] = [:]
    /// When expired windows may be swept again.
    var nextSweep: TimeInterval = 0
  }

  private let state = Mutex(State())
  /// Beyond this many keys, expired windows are swept (a flood from many addresses), at most
  /// once a second: a sweep reads every key.
  private let sweepThreshold: Int
  /// Beyond this many live windows a new key is not counted (its request passes): the memory a
  /// flood from ever new addresses can take is bounded, and the channel's own `rate_limit`
  /// still holds.
  private let maxKeys: Int

  init(sweepThreshold: Int = 10_000, maxKeys: Int = 200_000) {
    self.sweepThreshold = sweepThreshold
    self.maxKeys = maxKeys
  }

  /// How many windows are held (tests).
  var count: Int { state.withLock { $0.windows.count } }

  /// Counts one request; returns `nil` when allowed, else the refusal. A `bounded` key (a
  /// client's address) is not counted once the windows are full; a channel's own key always is.
  func admit(_ key: String, limit: RateLimit, now: Date = Date(), bounded: Bool = true)
    -> Refusal?
  {
    let time = now.timeIntervalSince1970
    return state.withLock { state -> Refusal? in
      if state.windows.count > sweepThreshold, time >= state.nextSweep {
        state.windows = state.windows.filter {
          time - $0.value.start < $0.value.period && time >= $0.value.start
        }
        state.nextSweep = time + 1
      }
      guard !bounded || state.windows[key] != nil || state.windows.count < maxKeys else {
        return nil
      }
      var window = state.windows[key] ?? Window(start: time, period: limit.period, count: 0)
      // Over, or begun "in the future": the clock was set back (a window dated ahead would
      // hold a channel shut for as long as it was set back).
      if time - window.start >= limit.period || time < window.start {
        window = Window(start: time, period: limit.period, count: 0)
      }
      guard window.count < limit.requests else {
        window.refused += 1
        state.windows[key] = window
        return Refusal(
          retryAfter: max(1, (window.start + limit.period - time).rounded(.up)),
          refused: window.refused)
      }
      window.count += 1
      state.windows[key] = window
      return nil
    }
  }
}
