import Foundation
import Logging

/// Bootstraps swift-log once, in `main`: libraries only take a `Logger`.
public enum LoggingSetup {
  /// Sends logs to standard error at `level`: JSON lines for `.json`; for `.text`, `<N>`-prefixed
  /// lines when started by systemd with the output going to the journal (`$JOURNAL_STREAM`),
  /// else the human-readable lines.
  public static func bootstrap(
    level: String, format: LogFormat = .text,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    let parsed = Logger.Level(rawValue: level) ?? .info
    let journal = !(environment["JOURNAL_STREAM"] ?? "").isEmpty
    LoggingSystem.bootstrap { label in
      switch (format, journal) {
      case (.json, _):
        var handler = JSONLogHandler(label: label)
        handler.logLevel = parsed
        return handler
      case (.text, true):
        var handler = JournalLogHandler(label: label)
        handler.logLevel = parsed
        return handler
      case (.text, false):
        var handler = TextLogHandler(label: label)
        handler.logLevel = parsed
        return handler
      }
    }
  }
}
