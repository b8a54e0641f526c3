import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What `$WATCHDOG_USEC` and `$WATCHDOG_PID` ask for: the interval within which systemd expects
/// `WATCHDOG=1`, or nothing when the watchdog is off or meant for another process.
public struct WatchdogSettings: Sendable, Equatable {
  /// systemd's interval; pings go out at half of it.
  public var interval: Duration

  public init(interval: Duration) {
    self.interval = interval
  }

  /// The watchdog systemd set up for this process, if any.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment,
    pid: Int32 = getpid()
  ) -> WatchdogSettings? {
    guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else {
      return nil
    }
    if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, Int32(owner) != pid {
      return nil
    }
    return WatchdogSettings(interval: .microseconds(usec))
  }

  /// How often the daemon pings.
  public var pingInterval: Duration { interval / 2 }
}
