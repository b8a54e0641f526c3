import Foundation

/// The anti-spam checks an instance's options enable for form submissions: a honeypot field that
/// people never see (so never fill in) and a minimum time between showing the form and sending
/// it. A submission that fails is kept raw as `ignored` with the returned reason.
public enum SpamCheck {
  /// How every verdict starts (`ignored` reasons are read by people and by
  /// ``RawSubmission/isSpam``).
  public static let reasonPrefix = "spam: "

  /// Why the fields look like spam, or `nil`.
  public static func verdict(_ fields: Value, options: [String: Value], now: Date) -> String? {
    for name in ChannelOptions.strings(options["honeypot"]) {
      if let value = fields.member(name), !value.isEmpty {
        return reasonPrefix + "the honeypot field `\(name)` was filled in"
      }
    }
    if let minimum = ChannelOptions.duration(options["min_fill_seconds"]), minimum > 0 {
      let field = options["fill_time_field"]?.text ?? ChannelOptions.defaultFillTimeField
      if let text = fields.member(field)?.text, let stamp = Double(text) {
        // Milliseconds (JavaScript's Date.now()) or seconds.
        let started = stamp > 100_000_000_000 ? stamp / 1000 : stamp
        let elapsed = now.timeIntervalSince1970 - started
        // A stamp from the future says the visitor's clock runs ahead, not how long they took:
        // a person is not refused for it.
        if elapsed >= 0, elapsed < minimum {
          return reasonPrefix + "the form was filled in \(Value.format(elapsed.rounded())) s, "
            + "less than min_fill_seconds (\(Value.format(minimum)) s)"
        }
      }
    }
    return nil
  }

  /// The field names the checks read, left out of `extra`.
  static func fieldNames(_ options: [String: Value]) -> Set<String> {
    var names = Set(ChannelOptions.strings(options["honeypot"]).map { $0.lowercased() })
    if options["min_fill_seconds"] != nil {
      names.insert(
        (options["fill_time_field"]?.text ?? ChannelOptions.defaultFillTimeField).lowercased())
    }
    return names
  }
}
