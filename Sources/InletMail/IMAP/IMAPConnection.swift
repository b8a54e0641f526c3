import CCurl
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// libcurl's global state, initialised once before the first handle.
private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// One connection made by libcurl in `CONNECT_ONLY` mode: libcurl connects, does TLS or
/// STARTTLS, checks the certificate and logs in (tags `A001`, `A002`, ...); afterwards this type
/// moves raw bytes over the authenticated connection with `curl_easy_send`/`curl_easy_recv`,
/// waiting with `poll()` on the socket.
final class IMAPConnection {
  private var handle: UnsafeMutableRawPointer?
  private var socket: curl_socket_t = -1
  private let errorBuffer: UnsafeMutablePointer<CChar>
  private let timeout: Double

  init(endpoint: IMAPEndpoint) throws(IMAPError) {
    try endpoint.validate()
    guard curlGlobalInit == CURLE_OK else { throw .connect("curl_global_init failed") }
    guard let handle = curl_easy_init() else { throw .connect("curl_easy_init failed") }
    self.handle = handle
    self.timeout = endpoint.timeout
    errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    do {
      try configure(endpoint)
      try perform(endpoint)
    } catch {
      close()
      throw error
    }
  }

  deinit {
    close()
    errorBuffer.deallocate()
  }

  private func configure(_ endpoint: IMAPEndpoint) throws(IMAPError) {
    let milliseconds = max(1, Int(endpoint.timeout * 1000))
    try setLong(CURLOPT_CONNECT_ONLY, 1)
    try setLong(CURLOPT_NOSIGNAL, 1)
    try setLong(CURLOPT_CONNECTTIMEOUT_MS, milliseconds)
    try setLong(CURLOPT_TIMEOUT_MS, milliseconds)
    try setLong(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(endpoint.timeout.rounded(.up))))
    // A connection left quiet between passes (no IDLE, a long poll_interval) is kept known to
    // NATs and load balancers that drop idle flows after a few minutes (Azure: 4, AWS: 350 s).
    try setLong(CURLOPT_TCP_KEEPALIVE, 1)
    try setLong(CURLOPT_TCP_KEEPIDLE, 60)
    try setLong(CURLOPT_TCP_KEEPINTVL, 30)
    try setPointer(CURLOPT_ERRORBUFFER, errorBuffer)
    try setString(CURLOPT_URL, endpoint.serverURL ?? endpoint.url)
    try setString(CURLOPT_USERNAME, endpoint.username)
    switch endpoint.credential {
    case .password(let password):
      try setString(CURLOPT_PASSWORD, password)
    case .xoauth2(let token):
      try setString(CURLOPT_XOAUTH2_BEARER, token)
      try setString(CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2")
    }
    switch endpoint.tls {
    case .implicit, .starttls:
      try setLong(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
      try setLong(CURLOPT_SSL_VERIFYPEER, 1)
      try setLong(CURLOPT_SSL_VERIFYHOST, 2)
      if let caFile = endpoint.caFile { try setString(CURLOPT_CAINFO, caFile) }
    case .none:
      try setLong(CURLOPT_USE_SSL, Int(CURLUSESSL_NONE.rawValue))
    }
  }

  private func perform(_ endpoint: IMAPEndpoint) throws(IMAPError) {
    let code = curl_easy_perform(handle)
    guard code == CURLE_OK else { throw Self.error(code, detail: detail(code), endpoint) }
    var active: curl_socket_t = -1
    let info = inlet_curl_active_socket(handle, &active)
    guard info == CURLE_OK, active >= 0 else {
      throw .connect("libcurl gave no socket for \(endpoint.serverName)")
    }
    socket = active
  }

  private static func error(_ code: CURLcode, detail: String, _ endpoint: IMAPEndpoint)
    -> IMAPError
  {
    let server = endpoint.serverName
    switch code {
    case CURLE_LOGIN_DENIED:
      return .authentication("\(server) rejected the login of \(endpoint.username): \(detail)")
    case CURLE_OPERATION_TIMEDOUT:
      return .timeout
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_USE_SSL_FAILED,
      CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
      CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
      return .tls("\(server): \(detail)")
    default:
      return .connect("\(server): \(detail)")
    }
  }

  private func detail(_ code: CURLcode) -> String {
    let buffered = String(cString: errorBuffer)
    return buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
  }

  private func setLong(_ option: CURLoption, _ value: Int) throws(IMAPError) {
    let code = inlet_curl_setopt_long(handle, option, value)
    guard code == CURLE_OK else { throw Self.optionError(option, code) }
  }

  private func setString(_ option: CURLoption, _ value: String) throws(IMAPError) {
    // libcurl copies string options (since 7.17), so the temporary C string may go away.
    let code = inlet_curl_setopt_string(handle, option, value)
    guard code == CURLE_OK else { throw Self.optionError(option, code) }
  }

  private func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer) throws(IMAPError)
  {
    let code = inlet_curl_setopt_pointer(handle, option, value)
    guard code == CURLE_OK else { throw Self.optionError(option, code) }
  }

  private static func optionError(_ option: CURLoption, _ code: CURLcode) -> IMAPError {
    .connect("libcurl option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
  }

  var isOpen: Bool { handle != nil && socket >= 0 }

  /// Whether TCP keep-alive is on for the connection's socket.
  var keepsAlive: Bool {
    guard socket >= 0 else { return false }
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(socket, SOL_SOCKET, SO_KEEPALIVE, &value, &length) == 0 else { return false }
    return value != 0
  }

  /// Drops the connection. The socket is shut down first so that libcurl's own LOGOUT on
  /// cleanup fails at once instead of waiting for a server that may hang.
  func close() {
    if socket >= 0 { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    socket = -1
    if let handle { curl_easy_cleanup(handle) }
    handle = nil
  }

  /// Sends all bytes, waiting for the socket to take them.
  func send(_ bytes: UnsafeRawBufferPointer) throws(IMAPError) {
    guard let handle, socket >= 0 else { throw .closed }
    var offset = 0
    while offset < bytes.count {
      var sent = 0
      let code = curl_easy_send(handle, bytes.baseAddress! + offset, bytes.count - offset, &sent)
      if code == CURLE_OK {
        offset += sent
      } else if code == CURLE_AGAIN {
        guard try wait(events: Int16(POLLOUT), milliseconds: waitMilliseconds) else {
          throw .timeout
        }
      } else {
        throw .closed
      }
    }
  }

  func send(_ bytes: [UInt8]) throws(IMAPError) {
    do {
      try bytes.withUnsafeBytes { try send($0) }
    } catch let error as IMAPError {
      throw error
    } catch {
      throw .closed
    }
  }

  /// Reads what is available into `buffer`, waiting up to `milliseconds` (the endpoint's timeout
  /// when nil). Returns the byte count, 0 when the wait ran out and `milliseconds` was given.
  func receive(into buffer: ReceiveBuffer, milliseconds: Int? = nil) throws(IMAPError) -> Int {
    guard let handle, socket >= 0 else { throw .closed }
    buffer.reserve(64 * 1024)
    while true {
      var received = 0
      let code = curl_easy_recv(handle, buffer.writePointer, buffer.writableCount, &received)
      if code == CURLE_OK {
        guard received > 0 else { throw .closed }
        buffer.commit(received)
        return received
      }
      guard code == CURLE_AGAIN else { throw .closed }
      guard try wait(events: Int16(POLLIN), milliseconds: milliseconds ?? waitMilliseconds) else {
        if milliseconds != nil { return 0 }
        throw .timeout
      }
    }
  }

  private var waitMilliseconds: Int { max(1, Int(timeout * 1000)) }

  /// Waits until the socket is ready; false when the time ran out.
  private func wait(events: Int16, milliseconds: Int) throws(IMAPError) -> Bool {
    var descriptor = pollfd(fd: socket, events: events, revents: 0)
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
    while true {
      let now = DispatchTime.now().uptimeNanoseconds
      let left = now >= deadline ? 0 : Int32(clamping: (deadline - now) / 1_000_000)
      let ready = poll(&descriptor, 1, left)
      if ready > 0 { return true }
      if ready == 0 { return false }
      guard errno == EINTR else { throw .closed }
    }
  }
}

/// A growable byte buffer the responses are read into and parsed from, without per-byte copies:
/// `recv` writes into its free tail, the parser reads `[readIndex, writeIndex)`.
final class ReceiveBuffer {
  private(set) var storage: UnsafeMutablePointer<UInt8>
  private(set) var capacity: Int
  private(set) var readIndex = 0
  private(set) var writeIndex = 0
  private let initialCapacity: Int

  init(capacity: Int = 512 * 1024) {
    initialCapacity = capacity
    self.capacity = capacity
    storage = .allocate(capacity: capacity)
  }

  deinit { storage.deallocate() }

  var readableCount: Int { writeIndex - readIndex }
  var readPointer: UnsafeMutablePointer<UInt8> { storage + readIndex }
  var writePointer: UnsafeMutablePointer<UInt8> { storage + writeIndex }
  var writableCount: Int { capacity - writeIndex }

  /// Makes room for at least `count` more bytes after the readable ones.
  func reserve(_ count: Int) {
    guard writableCount < count else { return }
    let readable = readableCount
    if readIndex > 0 && capacity - readable >= count {
      compact()
      return
    }
    var newCapacity = capacity
    while newCapacity - readable < count { newCapacity *= 2 }
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: storage + readIndex, count: readable)
    storage.deallocate()
    storage = grown
    capacity = newCapacity
    readIndex = 0
    writeIndex = readable
  }

  private func compact() {
    let readable = readableCount
    if readable > 0 { memmove(storage, storage + readIndex, readable) }
    readIndex = 0
    writeIndex = readable
  }

  func commit(_ count: Int) { writeIndex += count }

  /// Drops `count` parsed bytes; an empty oversized buffer shrinks back.
  func consume(_ count: Int) {
    readIndex += count
    guard readIndex == writeIndex else { return }
    readIndex = 0
    writeIndex = 0
    if capacity > 4 * initialCapacity && capacity > 8 * 1024 * 1024 {
      storage.deallocate()
      capacity = initialCapacity
      storage = .allocate(capacity: capacity)
    }
  }

  func removeAll() {
    readIndex = 0
    writeIndex = 0
  }
}
