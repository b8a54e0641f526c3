import Foundation

/// A configured channel: a name in the URL, a definition, its secrets and options.
public struct ChannelInstance: Sendable {
  /// The instance name (`site` → `/hooks/site`).
  public var name: String
  public var definition: ChannelDefinition
  public var secrets: ChannelSecrets
  /// The definition's option defaults overlaid with the instance's values.
  public let options: [String: Value]
  /// `allow_from`, read once (not per request); nil when the channel takes any address.
  public let allowFrom: [AddressRange]?
  /// `time_zone`, read once: the zone of a provider's local times (Moscow by default).
  public let timeZone: TimeZone
  /// `cors_origins`, read once and serialised as browsers send them (`*` as is).
  public let corsOrigins: [String]

  public init(
    name: String, definition: ChannelDefinition, secrets: ChannelSecrets,
    options: [String: Value] = [:]
  ) {
    self.name = name
    self.definition = definition
    self.secrets = secrets
    self.options = definition.options.merging(options) { _, instance in instance }
    allowFrom = ChannelOptions.allowedSources(self.options)
    timeZone = self.options["time_zone"]?.text.flatMap(CallTime.zone) ?? CallTime.defaultZone
    corsOrigins = ChannelOptions.strings(self.options["cors_origins"]).compactMap { text in
      text == "*" ? "*" : ChannelOptions.origin(text)
    }
  }
}
