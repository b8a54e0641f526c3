import Logging

/// Lines for journald (`$JOURNAL_STREAM` is set): a `<N>` syslog priority prefix so the journal
/// records the level, no timestamp (the journal adds its own), one line per entry.
public struct JournalLogHandler: LineLogHandler {
  public var logLevel: Logger.Level = .info
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  let label: String

  public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
    self.label = label
    self.metadataProvider = metadataProvider
  }

  /// sd-daemon(3) priorities: `<7>` debug … `<2>` critical.
  public static func priority(_ level: Logger.Level) -> Int {
    switch level {
    case .trace, .debug: 7
    case .info: 6
    case .notice: 5
    case .warning: 4
    case .error: 3
    case .critical: 2
    }
  }

  func line(for event: LogEvent, metadata: Logger.Metadata) -> String? {
    let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    var line = "<\(Self.priority(event.level))>\(label): "
    if !fields.isEmpty { line += fields.joined(separator: " ") + " " }
    line += "[\(event.source)] \(event.message)"
    // journald starts a new entry (at the default priority) at every newline.
    return LogMetadata.escapingControls(line)
  }
}
