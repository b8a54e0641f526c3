import Crypto
import Foundation

/// Twilio: `X-Twilio-Signature = base64(HMAC(auth_token, full_url + sorted(name + value)))`,
/// HMAC-SHA1 unless `X-Twilio-Webhooks-Signature-Settings` names `HMAC_SHA256`. The full URL
/// is the one Twilio called: `http.public_url` + the request's path and query.
public struct TwilioSignatureScheme: AuthScheme {
  public let name = "twilio-signature"
  public let requiredSecrets = ["auth_token"]
  /// (It reads the raw form itself: a body the decoder refuses is still authenticated.)
  public let needsDecodedBody = false
  public let needsPublicURL = true

  public init() {}

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  )
    -> AuthDecision
  {
    guard let token = secrets["auth_token"] else { return .refused("no auth_token configured") }
    guard let url = request.publicURL else {
      return .refused("http.public_url is not configured; Twilio signs the public URL")
    }
    guard let presented = request.header("x-twilio-signature") else {
      return .refused("no X-Twilio-Signature header")
    }
    var pairs: [(String, String)] = []
    // Twilio signs the form parameters of a POST only; a GET callback has its parameters in
    // the (signed) URL and no body. A body on another method would be read unsigned.
    if request.method != "POST" && !request.body.isEmpty {
      return .refused("a body on a \(request.method) request is not covered by the signature")
    }
    if request.method == "POST" {
      // Read as Twilio wrote it; a body the strict reading refuses (a stray escape, bytes that
      // are not UTF-8) is read leniently, so a signed one is still recognised (and kept).
      let strict = String(validating: request.body, as: UTF8.self).flatMap(FormURLEncoding.parse)
      pairs = (strict ?? FormURLEncoding.parseQuery(String(decoding: request.body, as: UTF8.self)))
        .map { ($0.name, $0.value) }
    }
    let sha256 =
      request.header("x-twilio-webhooks-signature-settings")?
      .uppercased().contains("HMAC_SHA256") ?? false
    let expected = Self.signature(url: url, parameters: pairs, token: token, sha256: sha256)
    return ConstantTime.equals(presented, expected) ? .authenticated : .refused("bad signature")
  }

  /// The signature Twilio computes.
  public static func signature(
    url: String, parameters: [(String, String)], token: String, sha256: Bool = false
  ) -> String {
    let sorted = parameters.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
    let payload = Data((url + sorted.map { $0.0 + $0.1 }.joined()).utf8)
    let key = SymmetricKey(data: Data(token.utf8))
    if sha256 {
      return Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).base64EncodedString()
    }
    return Data(HMAC<Insecure.SHA1>.authenticationCode(for: payload, using: key))
      .base64EncodedString()
  }
}
