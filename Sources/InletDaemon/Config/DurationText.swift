/// Durations written in the config: `500ms`, `10s`, `5m`, `1h`.
enum DurationText {
  static func parse(_ text: String) -> Duration? {
    let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
    for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
      guard let number = Int64(text.dropLast(suffix.count)), number >= 0 else { return nil }
      let (total, overflow) = number.multipliedReportingOverflow(by: milliseconds)
      return overflow ? nil : .milliseconds(total)
    }
    return nil
  }
}
