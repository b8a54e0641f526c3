import Crypto
import Foundation

/// Zadarma (and legacy Novofon): header `Signature = base64(hex(HMAC-SHA1(secret, STRING)))`,
/// where STRING concatenates fields that depend on the event (channels-reference.md).
///
/// An event whose STRING is not known cannot be verified and is refused: an unverifiable
/// request is never stored.
public struct ZadarmaSignatureScheme: AuthScheme {
  public let name = "zadarma-signature"
  public let requiredSecrets = ["secret"]
  public let needsDecodedBody = true

  public init() {}

  /// The fields concatenated for each event.
  public static let signedFields: [String: [String]] = [
    "NOTIFY_START": ["caller_id", "called_did", "call_start"],
    "NOTIFY_INTERNAL": ["caller_id", "called_did", "call_start"],
    "NOTIFY_IVR": ["caller_id", "called_did", "call_start"],
    "NOTIFY_END": ["caller_id", "called_did", "call_start"],
    "NOTIFY_ANSWER": ["caller_id", "destination", "call_start"],
    "NOTIFY_OUT_START": ["internal", "destination", "call_start"],
    "NOTIFY_OUT_END": ["internal", "destination", "call_start"],
    "NOTIFY_RECORD": ["pbx_call_id", "call_id_with_rec"],
  ]

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  )
    -> AuthDecision
  {
    guard let secret = secrets["secret"] else { return .refused("the channel has no secret") }
    guard let presented = request.header("signature"), !presented.isEmpty else {
      return .refused("no Signature header")
    }
    guard let fields = body?.fields, let event = fields.member("event")?.text else {
      return .refused("no event field")
    }
    guard let names = Self.signedFields[event] else {
      return .refused("event \(event) has no known signature string")
    }
    let string = names.map { fields.member($0)?.text ?? "" }.joined()
    let expected = Self.signature(string, secret: secret)
    return ConstantTime.equals(presented, expected) ? .authenticated : .refused("bad signature")
  }

  /// `base64(lowercase hex(HMAC-SHA1(secret, string)))`.
  public static func signature(_ string: String, secret: String) -> String {
    let mac = HMAC<Insecure.SHA1>.authenticationCode(
      for: Data(string.utf8), using: SymmetricKey(data: Data(secret.utf8)))
    let hex = Hex.lowercase(mac)
    return Data(hex.utf8).base64EncodedString()
  }
}
