import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// Human-readable lines for a terminal or a plain log file (no journal):
/// `2026-11-29T16:51:03+0000 notice inlet: key=value [source] message`.
///
/// Unlike swift-log's `StreamLogHandler`, setting metadata costs nothing: the text is built only
/// when a line is written, not on every `logger[metadataKey:] = …` (which every request does).
public struct TextLogHandler: LineLogHandler {
  public var logLevel: Logger.Level = .info
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  let label: String

  public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
    self.label = label
    self.metadataProvider = metadataProvider
  }

  func line(for event: LogEvent, metadata: Logger.Metadata) -> String? {
    var line = "\(Self.timestamp()) \(event.level) \(label):"
    for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
    return LogMetadata.escapingControls(line + " [\(event.source)] \(event.message)")
  }

  /// Local time with its offset, as `strftime("%Y-%m-%dT%H:%M:%S%z")` writes it.
  static func timestamp() -> String {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    var buffer = [CChar](repeating: 0, count: 64)
    let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
    return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
