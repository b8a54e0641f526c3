import Foundation

/// Instance options every definition understands (anti-spam, browser forms, limits,
/// conversations), and readers for their values.
public enum ChannelOptions {
  /// Options a channel instance may set whatever its definition declares.
  public static let common: Set<String> = [
    "thank_you_url", "cors_origins", "honeypot", "min_fill_seconds", "fill_time_field",
    "rate_limit", "rate_limit_per_ip", "max_body_bytes", "max_file_bytes", "max_files",
    "conversation_window", "allow_from", "time_zone", "call_timeout",
  ]

  /// The directions a call's `direction` takes (`call_inquiries` lists some of them).
  public static let callDirections: Set<String> = ["in", "out", "internal"]

  /// How long a call may go without an event before it is closed as it stands
  /// (``CallRecord/closeUnended()``): a hangup lost for good must not leave a missed call
  /// looking like one still ringing.
  public static let defaultCallTimeout: TimeInterval = 3600

  /// `call_timeout`: the instance's value, the default when unset; nil when calls are never
  /// closed by time (`0`).
  public static func callTimeout(_ options: [String: Value]) -> TimeInterval? {
    guard options["call_timeout"] != nil else { return defaultCallTimeout }
    guard let seconds = duration(options["call_timeout"]), seconds > 0 else { return nil }
    return seconds
  }

  /// The form field that carries when the form was shown (Unix seconds or milliseconds).
  public static let defaultFillTimeField = "form_started_at"
  /// The form field a page's script may stamp at submit, on the same clock as the first: the
  /// time taken is then read without the server's clock.
  public static let fillSentField = "form_sent_at"

  /// `allow_from`: the addresses requests to the channel may come from; nil when not set.
  public static func allowedSources(_ options: [String: Value]) -> [AddressRange]? {
    guard options["allow_from"] != nil else { return nil }
    return strings(options["allow_from"]).compactMap(AddressRange.init)
  }

  /// The first common option whose value cannot be used, as `(key, what it should be)`: a
  /// mistyped limit must fail `inlet check-config`, not silently switch the limit off.
  public static func problem(in options: [String: Value]) -> (key: String, problem: String)? {
    for key in options.keys.sorted() {
      let value = options[key]
      switch key {
      case "rate_limit", "rate_limit_per_ip":
        if RateLimit(value) == nil {
          return (key, "a rate such as `10/1m` (requests per period: s, m, h, d)")
        }
      case "min_fill_seconds", "conversation_window":
        if duration(value) == nil { return (key, "a duration such as `3`, `90s` or `30m`") }
      case "call_timeout":
        if (duration(value) ?? -1) < 0 {
          return (key, "a duration such as `30m` or `2h` (`0`: calls are never closed by time)")
        }
      case "max_body_bytes", "max_file_bytes", "max_files":
        if integer(value) == nil { return (key, "a positive whole number") }
      case "thank_you_url":
        let text = value?.text ?? ""
        if !(text.hasPrefix("https://") || text.hasPrefix("http://") || text.hasPrefix("/")) {
          return (key, "an http(s) URL (or a path on the form's own site)")
        }
      case "cors_origins":
        let origins = strings(value)
        let expected = "a list of origins such as `https://example.ru`, or `*`"
        if origins.isEmpty { return (key, expected) }
        if let bad = origins.first(where: { $0 != "*" && origin($0) == nil }) {
          return (
            key,
            "\(expected); `\(bad)` is not one (an origin is the scheme, host and port only: "
              + "no path, query or fragment)"
          )
        }
      case "time_zone":
        if value?.text.flatMap(CallTime.zone) == nil {
          return (key, "a time zone such as `Europe/Moscow`, `Asia/Yekaterinburg` or `+05:00`")
        }
      case "allow_from":
        let entries = strings(value)
        let expected = "a list of addresses or networks such as `185.45.152.42` or `10.0.0.0/8`"
        if entries.isEmpty { return (key, expected) }
        if let bad = entries.first(where: { AddressRange($0) == nil }) {
          return (key, "\(expected); `\(bad)` is not one")
        }
      case "call_inquiries":
        // A typo would make no call an inquiry, silently; `[]` (calls recorded, none queued)
        // and an empty value (the default) are meant.
        if strings(value).contains(where: { !callDirections.contains($0) }) {
          return (key, "a list of call directions: `in`, `out`, `internal` (such as `[in, out]`)")
        }
      case "honeypot":
        if strings(value).isEmpty { return (key, "a field name, or a list of them") }
      default:
        continue
      }
    }
    return nil
  }

  /// A duration: a number of seconds, or `90s`, `30m`, `2h`, `1d`.
  public static func duration(_ value: Value?) -> TimeInterval? {
    guard let text = value?.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
      return nil
    }
    // Finite and under a century (NaN or 1e300 would stop the process where a wait is made).
    func sane(_ seconds: Double) -> Double? {
      seconds.isFinite && abs(seconds) < 3.2e9 ? seconds : nil
    }
    if let seconds = Double(text) { return sane(seconds) }
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    guard let unit = text.last.flatMap({ units[$0] }), let number = Double(text.dropLast())
    else { return nil }
    return sane(number * unit)
  }

  /// A positive integer option.
  public static func integer(_ value: Value?) -> Int? {
    guard let text = value?.text, let number = WholeNumber.parse(text), number >= 1 else {
      return nil
    }
    return Int(number)
  }

  /// An origin in the form two of them compare in: `http` or `https`, the host lower-cased (its
  /// `xn--` labels in Unicode), the port only when it is not the scheme's default
  /// (`HTTPS://Example.ru:443/` is `https://example.ru`). Nil when `text` is not an origin:
  /// another scheme, no host, user information, a port that is not a number, or a path beyond
  /// `/`, a query or a fragment.
  public static func origin(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard let separator = trimmed.range(of: "://") else { return nil }
    let scheme = trimmed[..<separator.lowerBound].lowercased()
    let defaultPort: Int
    switch scheme {
    case "https": defaultPort = 443
    case "http": defaultPort = 80
    default: return nil
    }
    var rest = trimmed[separator.upperBound...]
    if rest.hasSuffix("/") { rest = rest.dropLast() }
    // No path, query, fragment, user info, and no wildcard (`https://*.example.ru` would never
    // match: every origin is listed as the browser sends it).
    guard !rest.isEmpty, !rest.contains(where: { "/?#@\\*".contains($0) }) else { return nil }
    var host = rest
    var portText: Substring?
    if rest.hasPrefix("[") {
      // An IPv6 literal: `[::1]` or `[::1]:8443`.
      guard let bracket = rest.firstIndex(of: "]") else { return nil }
      host = rest[...bracket]
      let after = rest[rest.index(after: bracket)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { return nil }
        portText = after.dropFirst()
      }
    } else if let colon = rest.firstIndex(of: ":") {
      host = rest[..<colon]
      portText = rest[rest.index(after: colon)...]
    }
    guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return nil }
    // A browser sends an internationalised host in its ASCII form (`xn--e1afmkfd.xn--p1ai`), a
    // config may hold it as typed (`пример.рф`): both compare in Unicode.
    let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false)
      .map { label -> String in
        guard label.hasPrefix("xn--"), let decoded = Punycode.decode(String(label)) else {
          return String(label)
        }
        return decoded.lowercased()
      }
    var serialised = scheme + "://" + labels.joined(separator: ".")
    if let portText {
      guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
        let port = Int(portText), (1...65535).contains(port)
      else { return nil }
      if port != defaultPort { serialised += ":\(port)" }
    }
    return serialised
  }

  /// A list of strings (a single string is a list of one).
  public static func strings(_ value: Value?) -> [String] {
    switch value {
    case .array(let items): return items.compactMap(\.text).filter { !$0.isEmpty }
    case .string(let text) where !text.isEmpty: return [text]
    default: return []
    }
  }
}

/// A request rate: `20/1m` is at most 20 requests in any one-minute window.
public struct RateLimit: Sendable, Equatable {
  public var requests: Int
  public var period: TimeInterval

  public init(requests: Int, period: TimeInterval) {
    self.requests = requests
    self.period = period
  }

  /// Parses `N/duration` (`10/1m`, `100/1h`, `5/30s`; `10/m` means one minute).
  public init?(_ value: Value?) {
    guard let text = value?.text else { return nil }
    let parts = text.split(separator: "/", maxSplits: 1).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard parts.count == 2, let requests = Int(parts[0]), requests > 0 else { return nil }
    let periodText = Double(String(parts[1].prefix(1))) == nil ? "1" + parts[1] : parts[1]
    guard let period = ChannelOptions.duration(.string(periodText)), period > 0 else {
      return nil
    }
    self.init(requests: requests, period: period)
  }
}
