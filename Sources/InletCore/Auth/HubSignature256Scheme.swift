import Crypto
import Foundation

/// Meta's webhooks (WhatsApp Cloud API): `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>` of the
/// raw body, keyed with the app secret.
public struct HubSignature256Scheme: AuthScheme {
  public let name = "hub-signature-256"
  public let requiredSecrets = ["app_secret"]
  public let needsDecodedBody = false

  public init() {}

  /// `sha256=<hex>` for a body (tests, and the documentation of the format).
  public static func signature(_ body: [UInt8], secret: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(
      for: body, using: SymmetricKey(data: Array(secret.utf8)))
    return "sha256=" + Hex.lowercase(mac)
  }

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  ) -> AuthDecision {
    guard let secret = secrets["app_secret"], !secret.isEmpty else {
      return .refused("the channel has no app_secret configured")
    }
    guard let presented = request.header("x-hub-signature-256"), !presented.isEmpty else {
      return .refused("no X-Hub-Signature-256 header")
    }
    let expected = Self.signature(request.body, secret: secret)
    return ConstantTime.equals(presented.lowercased(), expected)
      ? .authenticated : .refused("X-Hub-Signature-256 does not match the body")
  }
}
