import Foundation

/// `Authorization: Bearer <token>`, or `?token=<token>` for providers and site builders that can
/// only be given a URL (Tilda, Sipuni, Jivo).
public struct BearerOrURLTokenScheme: AuthScheme {
  public let name = "bearer-or-url-token"
  public let requiredSecrets = ["token"]
  public let needsDecodedBody = false
  public let readsBody = false

  public init() {}

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  )
    -> AuthDecision
  {
    guard let expected = secrets["token"], !expected.isEmpty else {
      return .refused("the channel has no token configured")
    }
    var presented: String?
    if let authorization = request.header("authorization") {
      let parts = authorization.split(separator: " ", maxSplits: 1)
      if parts.count == 2, parts[0].lowercased() == "bearer" {
        presented = parts[1].trimmedSpaces
      }
    }
    if presented == nil { presented = request.queryValue("token") }
    guard let presented else {
      return .refused("no token: send Authorization: Bearer <token> or ?token=<token>")
    }
    return ConstantTime.equals(presented, expected) ? .authenticated : .refused("wrong token")
  }
}
