/// Durations written in the config: `500ms`, `10s`, `5m`, `1h`.
enum DurationText {
  static func parse(_ text: String) -> Duration? {
    let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
    for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
      guard let number = Int64(text.dropLast(suffix.count)), number >= 0 else { return nil }
      let (total, overflow) = number.multipliedReportingOverflow(by: milliseconds)
      // At most a year: longer is a typo, and would overflow timers counting nanoseconds.
      guard !overflow, total <= 366 * 86_400_000 else { return nil }
      return .milliseconds(total)
    }
    return nil
  }
}
