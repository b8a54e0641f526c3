import Logging

/// Bootstraps swift-log once, in `main`: libraries only take a `Logger`.
public enum LoggingSetup {
  /// Sends logs to standard error at `level`.
  public static func bootstrap(level: String) {
    let parsed = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = parsed
      return handler
    }
  }
}
