/// A configuration problem, with the key path that causes it.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  /// `channels[1].token_file`, or the file when the problem is the file itself.
  public var keyPath: String
  public var message: String

  public init(_ keyPath: String, _ message: String) {
    self.keyPath = keyPath
    self.message = message
  }

  public var description: String { "\(keyPath): \(message)" }
}
