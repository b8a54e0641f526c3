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
      // Milliseconds (JavaScript's Date.now()) or seconds.
      func seconds(_ name: String) -> Double? {
        guard let text = fields.member(name)?.text, let stamp = Double(text) else { return nil }
        return stamp > 100_000_000_000 ? stamp / 1000 : stamp
      }
      if let started = seconds(field) {
        // Stamped at submit by the same browser (`form_sent_at`), the time taken is read on one
        // clock: a visitor whose clock runs a few seconds ahead is not taken for a bot.
        let sent = seconds(ChannelOptions.fillSentField) ?? now.timeIntervalSince1970
        let elapsed = sent - started
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
      names.insert(ChannelOptions.fillSentField)
    }
    return names
  }
}
