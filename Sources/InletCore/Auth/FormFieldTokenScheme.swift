/// A shared token sent as a body field (MegaFon VATS sends `crm_token`); the field is named by
/// the definition's `auth.parameters.field` (default `token`).
public struct FormFieldTokenScheme: AuthScheme {
  public let name = "form-field-token"
  public let requiredSecrets = ["token"]
  public let needsDecodedBody = true
  public init() {}

  public func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  )
    -> AuthDecision
  {
    guard let expected = secrets["token"] else { return .refused("the channel has no token") }
    let field = parameters["field"] ?? "token"
    guard let presented = body?.fields.member(field)?.text, !presented.isEmpty else {
      return .refused("no \(field) field")
    }
    return ConstantTime.equals(presented, expected) ? .authenticated : .refused("wrong \(field)")
  }
}
