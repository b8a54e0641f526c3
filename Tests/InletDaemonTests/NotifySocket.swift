import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: a file path, or an abstract
/// name (`@…`); collects every message the daemon sends.
final class NotifySocket: @unchecked Sendable {
  /// The value for `NOTIFY_SOCKET`.
  let address: String
  private let fd: Int32
  private let path: String?

  init(abstract: Bool = false) throws {
    let name = "inlet-notify-\(UUID().uuidString.prefix(12))"
    fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket(AF_UNIX) failed") }
    var bytes: [UInt8]
    if abstract {
      address = "@" + name
      path = nil
      bytes = [0] + Array(name.utf8)
    } else {
      let file = NSTemporaryDirectory() + "/" + name + ".sock"
      address = file
      path = file
      bytes = Array(file.utf8) + [0]
    }
    var socketAddress = sockaddr_un()
    socketAddress.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: bytes) }
    let length = MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count
    let bound = withUnsafePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(length))
      }
    }
    guard bound == 0 else {
      close(fd)
      throw HarnessError("bind(\(address)) failed: errno \(errno)")
    }
  }

  deinit {
    close(fd)
    if let path { unlink(path) }
  }

  /// The next message, waiting up to `timeout`; nil when none came.
  func receive(timeout: Duration) async throws -> String? {
    let deadline = ContinuousClock.now + timeout
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
      if count >= 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
      if ContinuousClock.now >= deadline { return nil }
      try await Task.sleep(for: .milliseconds(5))
    }
  }

  /// Every message until one contains `line`, up to `timeout`.
  func receive(until line: String, timeout: Duration) async throws -> [String] {
    let deadline = ContinuousClock.now + timeout
    var messages: [String] = []
    while ContinuousClock.now < deadline {
      guard let message = try await receive(timeout: deadline - ContinuousClock.now) else { break }
      messages.append(message)
      if message.split(separator: "\n").contains(Substring(line)) { break }
    }
    return messages
  }
}
