import Foundation

/// An HTTP `Retry-After` value (RFC 9110, 10.2.3): delay seconds or an HTTP date.
public enum RetryAfter {
  /// The longest wait taken from a receiver: a value beyond it (a misconfigured gateway's year)
  /// is cut to a day.
  public static let longest: TimeInterval = 86_400

  /// The seconds to wait from `now`, at least 0 and at most ``longest``; `nil` when `value` is
  /// neither form.
  public static func seconds(_ value: String, now: Date) -> TimeInterval? {
    let text = value.trimmingCharacters(in: .whitespaces)
    if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
      // Too many digits for an Int is a very long wait.
      return min(Double(text) ?? longest, longest)
    }
    guard let date = httpDate(text) else { return nil }
    return min(max(date.timeIntervalSince(now), 0), longest)
  }

  /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form senders must use; the obsolete
  /// RFC 850 and asctime forms are read too.
  static func httpDate(_ text: String) -> Date? {
    // asctime pads the day with a space (`Nov  6`).
    let text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    for format in [
      "EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy",
    ] {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "GMT")
      formatter.dateFormat = format
      if let date = formatter.date(from: text) { return date }
    }
    return nil
  }
}
