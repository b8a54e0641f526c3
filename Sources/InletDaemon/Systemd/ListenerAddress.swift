import NIOCore
import Synchronization

/// The address the HTTP listener was bound to, set in `onServerRunning`; the watchdog probes it.
public final class ListenerAddress: Sendable {
  private let address = Mutex<SocketAddress?>(nil)

  public init() {}

  public func set(_ value: SocketAddress?) { address.withLock { $0 = value } }

  /// The bound address, once the listener runs.
  public var current: SocketAddress? { address.withLock { $0 } }

  /// `http://host:port` reachable from this machine (a wildcard bind is probed on loopback).
  public var loopbackURL: String? {
    guard let value = address.withLock({ $0 }), let ip = value.ipAddress, let port = value.port
    else { return nil }
    switch value.protocol {
    case .inet6:
      return "http://[\(ip == "::" ? "::1" : ip)]:\(port)"
    default:
      return "http://\(ip == "0.0.0.0" ? "127.0.0.1" : ip):\(port)"
    }
  }
}
