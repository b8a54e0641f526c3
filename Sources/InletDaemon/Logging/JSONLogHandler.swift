import Foundation
import Logging

/// One JSON object per line for log shippers:
/// `{"time","level","label","message","metadata","source"}`.
public struct JSONLogHandler: LineLogHandler {
  public var logLevel: Logger.Level = .info
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  let label: String

  private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

  public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
    self.label = label
    self.metadataProvider = metadataProvider
  }

  func line(for event: LogEvent, metadata: Logger.Metadata) -> String? {
    let object: [String: Any] = [
      "time": Date().formatted(Self.timeStyle),
      "level": event.level.rawValue,
      "label": label,
      "message": "\(event.message)",
      "metadata": metadata.mapValues(LogMetadata.json),
      "source": event.source,
    ]
    let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else {
      return nil
    }
    return String(decoding: data, as: UTF8.self)
  }
}
