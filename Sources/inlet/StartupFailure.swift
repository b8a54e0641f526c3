import Foundation
import InletDaemon
import NIOCore

#if canImport(Glibc)
  import Glibc
#endif

/// Why `inlet serve` stopped, as its last log line says it: what failed in plain words, with the
/// address or the file, and the config key to look at.
enum StartupFailure {
  static func describe(_ error: any Error, http: InletConfig.HTTPSection) -> String {
    // NIO says `bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`.
    if let error = error as? IOError, "\(error)".hasPrefix("bind(") {
      let reason = bindReason(error.errnoCode, port: http.port)
      return "cannot listen on \(address(http)): \(reason) (http.host / http.port)"
    }
    // The database and its lock: already said with the path.
    if let error = error as? ServerError { return error.description }
    return "inlet stopped: \(error)"
  }

  /// `127.0.0.1:8080`, `[::1]:8080`
  static func address(_ http: InletConfig.HTTPSection) -> String {
    http.host.contains(":") ? "[\(http.host)]:\(http.port)" : "\(http.host):\(http.port)"
  }

  static func bindReason(_ code: Int32, port: Int) -> String {
    switch code {
    case EADDRINUSE:
      return "address already in use"
    case EADDRNOTAVAIL:
      return "no such address on this machine"
    case EACCES where port < 1024:
      return "permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)"
    default:
      return ErrorText.system(code)
    }
  }
}
