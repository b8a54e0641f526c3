import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Helpers shared by the test targets that start real servers (the daemon, Dovecot).
public enum TestPorts {
  /// Ports handed out in this process: the kernel may give a just-released port again (a
  /// Dovecot asked for two listeners got the same one twice: "duplicate listener").
  private static let given = Mutex<Set<Int>>([])

  /// A loopback TCP port that was free a moment ago (bound to port 0, then released), never
  /// one this process was already given.
  public static func free() -> Int {
    while true {
      let port = kernelPort()
      if given.withLock({ $0.insert(port).inserted }) { return port }
    }
  }

  private static func kernelPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0, "socket() failed")
    defer { close(fd) }
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    precondition(loopback(fd, port: 0, bind) == 0, "bind() failed")
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Calls `bind` or `connect` on `fd` with 127.0.0.1:`port`; the call's result.
  public static func loopback(
    _ fd: Int32, port: Int,
    _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32
  ) -> Int32 {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
  }
}
