import Logging

/// Metadata of one entry: the handler's, then the provider's, then the call's (later wins).
enum LogMetadata {
  static func merge(
    handler: Logger.Metadata, provider: Logger.MetadataProvider?, event: Logger.Metadata?
  ) -> Logger.Metadata {
    var merged = handler
    if let provider { merged.merge(provider.get()) { _, new in new } }
    if let event { merged.merge(event) { _, new in new } }
    return merged
  }

  /// A metadata value as a JSON-serialisable value.
  static func json(_ value: Logger.MetadataValue) -> Any {
    switch value {
    case .string(let text): text
    case .stringConvertible(let convertible): convertible.description
    case .array(let values): values.map(json)
    case .dictionary(let values): values.mapValues(json)
    }
  }
}
