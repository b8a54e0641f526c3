/// VK Callback API: every event's JSON body carries the `secret` key set in the community's
/// Callback API settings.
public struct VKSecretScheme: AuthScheme {
  public let name = "vk-secret"
  public let requiredSecrets = ["secret"]
  public let needsDecodedBody = true

  public init() {}

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  ) -> AuthDecision {
    guard let expected = secrets["secret"], !expected.isEmpty else {
      return .refused("the channel has no secret configured")
    }
    let field = parameters["field"] ?? "secret"
    guard let presented = body?.fields.member(field)?.text, !presented.isEmpty else {
      return .refused("no `\(field)` in the body (set the secret key in the Callback API settings)")
    }
    return ConstantTime.equals(presented, expected) ? .authenticated : .refused("wrong secret")
  }
}
