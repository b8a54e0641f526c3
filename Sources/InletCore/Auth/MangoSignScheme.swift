import Crypto
import Foundation

/// Mango Office VPBX: form fields `vpbx_api_key`, `sign`, `json`, where
/// `sign = hex(sha256(api_key + json + api_salt))` over the `json` field as received.
public struct MangoSignScheme: AuthScheme {
  public let name = "mango-sign"
  public let requiredSecrets = ["api_key", "api_salt"]
  /// The three fields are read from the raw form: a correctly signed event whose `json` does
  /// not parse is authenticated, then kept quarantined (not refused and lost).
  public let needsDecodedBody = false

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
    // The signature is over `json` as received, so the form is read raw (the json-in-form-field
    // decoder turns `json` into a tree).
    let signed: Set<String> = ["vpbx_api_key", "sign", "json"]
    // A signed field given twice, or as `json[…]`, would make the form decoder's `json` (what
    // is processed) another text than the first raw `json` (what was signed): a captured
    // request with a forged event appended would pass.
    let (fields, repeated) = Self.signedFields(signed, in: request.body)
    if repeated {
      return .refused("vpbx_api_key, sign and json must each be sent once, as plain fields")
    }
    guard let presentedKey = fields["vpbx_api_key"], let sign = fields["sign"] else {
      return .refused("vpbx_api_key and sign are required")
    }
    guard let json = fields["json"] else {
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

  /// The percent-decoded values of some urlencoded fields (the first of each name; none when
  /// the body is not a UTF-8 form), and whether one of them occurs twice or as `name[…]`.
  static func signedFields(_ names: Set<String>, in body: [UInt8])
    -> (fields: [String: String], repeated: Bool)
  {
    guard String(validating: body, as: UTF8.self) != nil,
      let pairs = body.withUnsafeBufferPointer({
        FormURLEncoding.parse(utf8: $0) { String(validating: $0, as: UTF8.self) }
      })
    else { return ([:], false) }
    var found: [String: String] = [:]
    var repeated = false
    for pair in pairs {
      if names.contains(pair.name) {
        if found[pair.name] == nil { found[pair.name] = pair.value } else { repeated = true }
      } else if let bracket = pair.name.firstIndex(of: "["),
        names.contains(String(pair.name[..<bracket]))
      {
        repeated = true
      }
    }
    return (found, repeated)
  }

}
