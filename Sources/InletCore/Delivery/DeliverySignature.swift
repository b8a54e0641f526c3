import Crypto
import Foundation

/// The `X-Inlet-Signature` of a pushed delivery: `t=<unix time>,v1=<hex HMAC-SHA256>` over
/// `"<t>.<body>"`, so a receiver can check both who sent the body and how old it is.
public enum DeliverySignature {
  /// The header value for `body` signed with `secret` at `timestamp`.
  public static func header(secret: String, timestamp: Int, body: [UInt8]) -> String {
    "t=\(timestamp),v1=\(hex(secret: secret, timestamp: timestamp, body: body))"
  }

  /// The hex HMAC-SHA256 of `"<timestamp>.<body>"`.
  public static func hex(secret: String, timestamp: Int, body: [UInt8]) -> String {
    var message = Array("\(timestamp).".utf8)
    message.append(contentsOf: body)
    let mac = HMAC<SHA256>.authenticationCode(
      for: message, using: SymmetricKey(data: Array(secret.utf8)))
    return mac.map { byte in
      let digits = Array("0123456789abcdef")
      return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }.joined()
  }

  /// How far a receiver accepts `t` from its own clock by default: every attempt is signed
  /// anew, so only a request replayed later (a captured one sent again) falls outside.
  public static let defaultTolerance: TimeInterval = 300

  /// Checks a header value against `body` and its time against `now` (within `tolerance`,
  /// `nil`: any time); a receiver's check, used by tests and examples. A receiver should also
  /// drop a `delivery_id` it has processed (deliveries are at least once).
  public static func verify(
    header: String, secret: String, body: [UInt8], now: Date = Date(),
    tolerance: TimeInterval? = defaultTolerance
  ) -> Bool {
    var timestamp: Int?
    var signature: String?
    for part in header.split(separator: ",") {
      let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
      guard pair.count == 2 else { continue }
      if pair[0] == "t" { timestamp = Int(pair[1]) }
      if pair[0] == "v1" { signature = pair[1] }
    }
    guard let timestamp, let signature else { return false }
    if let tolerance, abs(now.timeIntervalSince1970 - Double(timestamp)) > tolerance {
      return false
    }
    return ConstantTime.equals(signature, hex(secret: secret, timestamp: timestamp, body: body))
  }
}
