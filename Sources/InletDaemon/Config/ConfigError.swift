/// A configuration problem, with the key path that causes it.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  /// `channels[1].token_file`, or the file when the problem is the file itself.
  public var keyPath: String
  public var message: String
  /// The `INLET_<SECTION>_<KEY>` variable that set the key, when one did: the file is not to
  /// blame then.
  public var variable: String?

  public init(_ keyPath: String, _ message: String, variable: String? = nil) {
    self.keyPath = keyPath
    self.message = message
    self.variable = variable
  }

  /// `http.port: …`, or `INLET_HTTP_PORT (http.port): …` when the environment set the key.
  public var description: String {
    "\(variable.map { "\($0) (\(keyPath))" } ?? keyPath): \(message)"
  }
}
