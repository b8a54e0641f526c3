/// A bearer token of the CRM API.
public struct APIToken: Sendable, Equatable {
  /// Who it belongs to; recorded with every transition it makes.
  public var name: String
  public var token: String
  public var scope: Scope

  public enum Scope: String, Sendable, Codable {
    case read
    case readWrite = "read-write"

    /// Whether this scope allows what `needed` requires.
    public func allows(_ needed: Scope) -> Bool { self == .readWrite || needed == .read }
  }

  public init(name: String, token: String, scope: Scope) {
    self.name = name
    self.token = token
    self.scope = scope
  }
}
