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
    let journal = writesToJournal(environment["JOURNAL_STREAM"])
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

  /// Whether standard error is the journal's stream: `$JOURNAL_STREAM` is `device:inode` of
  /// that stream, and a shell started under a systemd service inherits it while its own stderr
  /// is a terminal (systemd.exec(5): compare, do not just test that it is set).
  static func writesToJournal(_ stream: String?, descriptor: Int32 = 2) -> Bool {
    guard let stream, !stream.isEmpty else { return false }
    let parts = stream.split(separator: ":")
    guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else {
      return false
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { return false }
    return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
  }
}
