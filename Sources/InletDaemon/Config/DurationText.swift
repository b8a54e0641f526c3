import NIOCore

/// Durations written in the config: `500ms`, `10s`, `5m`, `1h`, `90d`.
enum DurationText {
  static func parse(_ text: String) -> Duration? {
    let units: [(String, Int64)] = [
      ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]
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

extension Duration {
  /// The duration in seconds, fractions included.
  var inSeconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }

  /// The same for NIO's timers (the listener's idle timeout, the delivery client's).
  var timeAmount: TimeAmount { .milliseconds(Int64(inSeconds * 1000)) }
}

extension KeyedDecodingContainer {
  /// A positive duration of the config (`500ms`, `10s`, `5m`, `1h`) at `key`, if present.
  func decodePositiveDuration(forKey key: Key) throws -> Duration? {
    guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
    guard let value = DurationText.parse(text), value > .zero else {
      throw DecodingError.dataCorruptedError(
        forKey: key, in: self, debugDescription: "a duration such as 500ms, 10s, 5m or 1h")
    }
    return value
  }
}
