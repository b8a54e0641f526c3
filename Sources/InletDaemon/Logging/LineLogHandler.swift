import Logging

/// What the daemon's log handlers share: metadata set per logger (cheaply: nothing is rendered
/// until a line is written), merged with the provider's and the call's, and one line per entry
/// to standard error. A handler only says how an entry reads as a line.
protocol LineLogHandler: LogHandler {
  /// The entry as one line, or `nil` to write nothing.
  func line(for event: LogEvent, metadata: Logger.Metadata) -> String?
}

extension LineLogHandler {
  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    let merged = LogMetadata.merge(
      handler: metadata, provider: metadataProvider, event: event.metadata)
    if let line = line(for: event, metadata: merged) { LineWriter.write(line) }
  }
}
