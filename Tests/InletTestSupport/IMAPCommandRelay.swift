import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A loopback TCP relay in front of a real IMAP server that renames one command on its way in:
/// with `IDLE` renamed `XIDLE`, Dovecot (which offers IDLE) answers `BAD`, as a server that
/// offers IDLE but refuses it does.
public final class IMAPCommandRelay: @unchecked Sendable {
  /// Where clients connect.
  public let port: Int
  private let listener: Int32
  private let target: Int
  private let command: String
  private let replacement: String

  /// The server's bytes per second towards clients when set: a slow link, so that a fetch lasts
  /// long enough for something to happen in its middle.
  private let serverRate: Int?

  public init(
    toPort target: Int, renaming command: String = "XNONE", to replacement: String = "XNONE",
    serverBytesPerSecond: Int? = nil
  ) throws {
    self.target = target
    self.command = command
    self.replacement = replacement
    serverRate = serverBytesPerSecond
    port = TestPorts.free()
    listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = Self.loopback(port: port)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(listener, 16) == 0 else {
      Glibc.close(listener)
      throw RelayError("cannot listen on 127.0.0.1:\(port)")
    }
    Thread.detachNewThread { self.acceptLoop() }
  }

  /// The sockets of the connections relayed so far.
  private let open = Mutex<[Int32]>([])
  /// Commands seen on the way in, by name (upper case), before any renaming.
  private let seen = Mutex<[String: Int]>([:])

  /// How many `command`s clients sent so far.
  public func count(of command: String) -> Int {
    seen.withLock { $0[command.uppercased()] ?? 0 }
  }

  /// Cuts every connection relayed so far, as a server that closes idle sessions does.
  public func dropConnections() {
    for socket in open.withLock({ sockets in
      defer { sockets.removeAll() }
      return sockets
    }) {
      shutdown(socket, Int32(SHUT_RDWR))
    }
  }

  /// The last time bytes went either way, and the tag of the client's command the server has not
  /// completed yet.
  private let traffic = Mutex<(last: ContinuousClock.Instant, outstanding: String?)>(
    (ContinuousClock.now, nil))

  /// Cuts every connection once the client waits: its last command completed and nothing went
  /// either way for `quiet`, as a server that closes sessions idle for a while does. A cut in the
  /// middle of a command would be a failure, not an idle session closed. Watched on a thread of
  /// its own, so a busy test process cannot make the cut late. Throws when the connection does
  /// not fall quiet within `timeout`.
  public func dropConnectionsWhenQuiet(
    quiet: Duration = .milliseconds(400), timeout: Duration = .seconds(20)
  ) async throws {
    let dropped = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
      Thread.detachNewThread {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
          let (last, outstanding) = self.traffic.withLock { ($0.last, $0.outstanding) }
          if outstanding == nil, ContinuousClock.now - last >= quiet {
            self.dropConnections()
            done.resume(returning: true)
            return
          }
          usleep(2_000)
        }
        done.resume(returning: false)
      }
    }
    guard dropped else {
      throw RelayError("the IMAP session did not fall quiet within \(timeout)")
    }
  }

  /// Stops accepting (open relays end when either side closes).
  public func close() {
    shutdown(listener, Int32(SHUT_RDWR))
    Glibc.close(listener)
  }

  private func acceptLoop() {
    while true {
      let client = accept(listener, nil, nil)
      if client < 0 { return }
      let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = Self.loopback(port: target)
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard connected == 0 else {
        Glibc.close(client)
        Glibc.close(server)
        continue
      }
      open.withLock { $0 += [client, server] }
      Thread.detachNewThread { self.pump(from: client, to: server, rewriting: true) }
      Thread.detachNewThread { self.pump(from: server, to: client, rewriting: false) }
    }
  }

  /// Copies bytes until either side closes; on the way in, a command line `TAG COMMAND` (the
  /// whole line) becomes `TAG REPLACEMENT`.
  private func pump(from source: Int32, to sink: Int32, rewriting: Bool) {
    defer {
      shutdown(sink, Int32(SHUT_RDWR))
      shutdown(source, Int32(SHUT_RDWR))
    }
    var pending: [UInt8] = []
    let rate = rewriting ? nil : serverRate
    var buffer = [UInt8](repeating: 0, count: rate == nil ? 65_536 : 4_096)
    while true {
      let count = read(source, &buffer, buffer.count)
      if count <= 0 { return }
      traffic.withLock { $0.last = ContinuousClock.now }
      var out: [UInt8]
      if rewriting {
        pending += buffer[0..<count]
        out = []
        // Whole lines only: a command split over two reads is renamed all the same.
        while let end = pending.firstIndex(of: 10) {
          var line = Array(pending[...end])
          pending.removeFirst(end + 1)
          let text = String(decoding: line, as: UTF8.self)
          let words = text.split(separator: " ", maxSplits: 2)
          if words.count >= 2 {
            let name = words[1].trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            seen.withLock { $0[name, default: 0] += 1 }
            traffic.withLock { $0.outstanding = String(words[0]) }
          }
          let suffix = " \(command)\r\n"
          if text.uppercased().hasSuffix(suffix), !text.dropLast(suffix.count).contains(" ") {
            line = Array((text.dropLast(suffix.count) + " \(replacement)\r\n").utf8)
          }
          out += line
        }
      } else {
        out = Array(buffer[0..<count])
        pending += out
        // A line `TAG OK|NO|BAD …` completes the client's outstanding command.
        while let end = pending.firstIndex(of: 10) {
          let line = String(decoding: pending[...end], as: UTF8.self)
          pending.removeFirst(end + 1)
          traffic.withLock { state in
            if let tag = state.outstanding, line.hasPrefix(tag + " ") { state.outstanding = nil }
          }
        }
      }
      var offset = 0
      while offset < out.count {
        let written = out[offset...].withUnsafeBytes { write(sink, $0.baseAddress, $0.count) }
        if written <= 0 { return }
        offset += written
      }
      if let rate { usleep(UInt32(out.count * 1_000_000 / rate)) }
    }
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
  }
}

/// The relay could not start.
public struct RelayError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
