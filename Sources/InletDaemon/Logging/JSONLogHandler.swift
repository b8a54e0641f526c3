import Foundation
import Logging

/// One JSON object per line for log shippers:
/// `{"time","level","label","message","metadata","source"}`.
public struct JSONLogHandler: LogHandler {
  public var logLevel: Logger.Level = .info
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  let label: String

  private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

  public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
    self.label = label
    self.metadataProvider = metadataProvider
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    let merged = LogMetadata.merge(
      handler: metadata, provider: metadataProvider, event: event.metadata)
    let object: [String: Any] = [
      "time": Date().formatted(Self.timeStyle),
      "level": event.level.rawValue,
      "label": label,
      "message": "\(event.message)",
      "metadata": merged.mapValues(LogMetadata.json),
      "source": event.source,
    ]
    let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else {
      return
    }
    LineWriter.write(String(decoding: data, as: UTF8.self))
  }
}
