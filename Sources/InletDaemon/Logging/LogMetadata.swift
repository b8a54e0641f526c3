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

  /// `line` with its control characters escaped (`\n`, `\r`, `\u{1b}`): a value a request
  /// supplied (a provider's event name, a path) must not start a forged line or entry, nor
  /// send a terminal escape sequence. A tab stays.
  static func escapingControls(_ line: String) -> String {
    guard line.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) else {
      return line
    }
    var escaped = ""
    escaped.reserveCapacity(line.utf8.count + 8)
    for scalar in line.unicodeScalars {
      switch scalar {
      case "\n": escaped += "\\n"
      case "\r": escaped += "\\r"
      case "\t": escaped.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0x7f:
        escaped += "\\u{" + String(scalar.value, radix: 16) + "}"
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    return escaped
  }
}
