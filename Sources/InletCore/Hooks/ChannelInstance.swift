/// A configured channel: a name in the URL, a definition, its secrets and options.
public struct ChannelInstance: Sendable {
  /// The instance name (`site` → `/hooks/site`).
  public var name: String
  public var definition: ChannelDefinition
  public var secrets: ChannelSecrets
  /// The definition's option defaults overlaid with the instance's values.
  public var options: [String: Value]

  public init(
    name: String, definition: ChannelDefinition, secrets: ChannelSecrets,
    options: [String: Value] = [:]
  ) {
    self.name = name
    self.definition = definition
    self.secrets = secrets
    self.options = definition.options.merging(options) { _, instance in instance }
  }
}
