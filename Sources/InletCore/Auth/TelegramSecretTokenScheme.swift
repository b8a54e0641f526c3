/// Telegram bot webhooks: `X-Telegram-Bot-Api-Secret-Token` carries the `secret_token` given to
/// `setWebhook`; Telegram sends it unchanged with every update.
public struct TelegramSecretTokenScheme: AuthScheme {
  public let name = "telegram-secret-token"
  public let requiredSecrets = ["secret_token"]
  public let needsDecodedBody = false
  public let readsBody = false

  public init() {}

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  ) -> AuthDecision {
    guard let expected = secrets["secret_token"], !expected.isEmpty else {
      return .refused("the channel has no secret_token configured")
    }
    guard let presented = request.header("x-telegram-bot-api-secret-token"), !presented.isEmpty
    else {
      return .refused("no X-Telegram-Bot-Api-Secret-Token header (set secret_token in setWebhook)")
    }
    return ConstantTime.equals(presented, expected)
      ? .authenticated : .refused("wrong secret token")
  }
}
