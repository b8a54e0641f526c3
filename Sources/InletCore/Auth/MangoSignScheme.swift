import Crypto
import Foundation

/// Mango Office VPBX: form fields `vpbx_api_key`, `sign`, `json`, where
/// `sign = hex(sha256(api_key + json + api_salt))` over the `json` field as received.
public struct MangoSignScheme: AuthScheme {
  public let name = "mango-sign"
  public let requiredSecrets = ["api_key", "api_salt"]
  public let needsDecodedBody = true

  public init() {}

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  )
    -> AuthDecision
  {
    guard let key = secrets["api_key"], let salt = secrets["api_salt"] else {
      return .refused("the channel has no api_key/api_salt configured")
    }
    guard let fields = body?.fields.object, let presentedKey = fields["vpbx_api_key"]?.text,
      let sign = fields["sign"]?.text
    else {
      return .refused("vpbx_api_key and sign are required")
    }
    // `json` may already be decoded into a tree by the json-in-form-field decoder; the signature
    // is over the text as received, so read it back from the raw form.
    guard let json = Self.rawField("json", in: request.body) else {
      return .refused("the json field is missing")
    }
    guard ConstantTime.equals(presentedKey, key) else { return .refused("unknown vpbx_api_key") }
    let expected = Self.sign(apiKey: key, json: json, salt: salt)
    return ConstantTime.equals(sign.lowercased(), expected) ? .authenticated : .refused("bad sign")
  }

  /// `hex(sha256(api_key + json + api_salt))`, as the VPBX computes it.
  public static func sign(apiKey: String, json: String, salt: String) -> String {
    Hex.lowercase(SHA256.hash(data: Data((apiKey + json + salt).utf8)))
  }

  /// The percent-decoded value of one urlencoded field.
  static func rawField(_ name: String, in body: [UInt8]) -> String? {
    // Only the bytes of a UTF-8 body are read (as the whole-form decoder would accept them).
    guard String(validating: body, as: UTF8.self) != nil,
      let pairs = body.withUnsafeBufferPointer({
        FormURLEncoding.parse(utf8: $0) { String(validating: $0, as: UTF8.self) }
      })
    else { return nil }
    return pairs.first { $0.name == name }?.value
  }
}
