/// The token as the last path segment (`/hooks/cti/<token>`, the Zammad-compatible CTI form that
/// PBX dialplans can build), or as for ``BearerOrURLTokenScheme``.
public struct PathOrURLTokenScheme: AuthScheme {
  public let name = "path-or-url-token"
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
    guard let expected = secrets["token"] else { return .refused("the channel has no token") }
    if let last = request.subpath.split(separator: "/").last,
      ConstantTime.equals(String(last), expected)
    {
      return .authenticated
    }
    return BearerOrURLTokenScheme().authenticate(
      request, body: body, secrets: secrets, parameters: parameters)
  }
}
