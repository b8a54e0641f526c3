import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The sd_notify protocol without libsystemd: one datagram per message to `$NOTIFY_SOCKET`
/// (a file path, or an abstract socket written `@name`). Without the variable nothing is sent.
public struct SystemdNotifier: Sendable {
  /// The socket address; nil when not started by systemd with `Type=notify`.
  public let socketPath: String?

  public init(socketPath: String?) {
    self.socketPath = socketPath.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// The notifier systemd asked for through `$NOTIFY_SOCKET`.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> SystemdNotifier {
    SystemdNotifier(socketPath: environment["NOTIFY_SOCKET"])
  }

  public var isEnabled: Bool { socketPath != nil }

  /// Sends `KEY=value` lines; returns false when nothing could be sent (or nothing was asked).
  @discardableResult
  public func notify(_ lines: String...) -> Bool {
    guard let socketPath else { return false }
    return Self.send(lines.joined(separator: "\n"), to: socketPath)
  }

  private static func send(_ message: String, to path: String) -> Bool {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var name = Array(path.utf8)
    let abstract = name.first == UInt8(ascii: "@")
    if abstract { name[0] = 0 }
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    // A path needs its terminating NUL; an abstract name is exactly its bytes.
    guard name.count + (abstract ? 0 : 1) <= capacity else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: name)
    }
    let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + name.count + (abstract ? 0 : 1)

    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let bytes = Array(message.utf8)
    let sent = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        sendto(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL), $0, socklen_t(length))
      }
    }
    return sent == bytes.count
  }
}
