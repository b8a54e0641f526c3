import Foundation

/// A blocking IMAP4rev1 client for one mailbox connection.
///
/// libcurl (`CURLOPT_CONNECT_ONLY`) connects, does TLS or STARTTLS, checks the certificate and
/// logs in; the client then speaks IMAP itself over that connection, pipelining `UID FETCH`
/// batches so that a large folder comes down at the server's speed.
///
/// Threading: every call blocks (each network wait is bounded by the endpoint's timeout). The
/// client is not thread-safe; it is `@unchecked Sendable` only so that it can be handed to the
/// one dedicated thread that uses it. Never call it from two threads at once.
///
/// Errors: after `.no` and `.bad` the connection remains usable; after any other error the
/// client has disconnected itself — `connect()` again (with backoff) to go on.
public final class IMAPClient: @unchecked Sendable {
  public let endpoint: IMAPEndpoint
  /// Upper-cased capabilities after `connect()` (IDLE, MOVE, UIDPLUS, LITERAL+, ...).
  public private(set) var capabilities: Set<String> = []
  /// Commands of one pipelined `fetch` in flight at once.
  public var pipelineDepth = 3
  /// Largest response accepted from the server (a fetch raises it to its `maxBytes` and a
  /// margin).
  public var maxResponseBytes = 512 * 1024 * 1024 {
    didSet { framer.maxResponseBytes = maxResponseBytes }
  }

  var connection: IMAPConnection?
  let buffer = ReceiveBuffer(capacity: 512 * 1024)
  var framer = IMAPFramer(maxResponseBytes: 0)
  private var tagCounter = 0
  private var selectedFolder: String?
  private var exists = 0
  private var recent = 0
  private var newMail = false
  private var loggingOut = false
  /// The server said `BYE` or hung up: the session is over, whatever the socket still says.
  var sessionOver = false

  public init(endpoint: IMAPEndpoint) throws {
    try endpoint.validate()
    self.endpoint = endpoint
  }

  deinit { disconnect() }

  /// True while connected and logged in, and the server has not said `BYE`.
  public var isConnected: Bool { (connection?.isOpen ?? false) && !sessionOver }

  /// The folder of the last successful `select`, nil when none is selected.
  public var selected: String? { selectedFolder }

  // MARK: Connection

  /// Connects, secures the connection, logs in and reads the capabilities. Drops any previous
  /// connection first.
  public func connect() throws {
    disconnect()
    connection = try IMAPConnection(endpoint: endpoint)
    sessionOver = false
    buffer.removeAll()
    framer = IMAPFramer(maxResponseBytes: maxResponseBytes)
    try guarded {
      var found: Set<String> = []
      try execute("CAPABILITY") { response in
        if case .data("CAPABILITY", let values) = response {
          for value in values { if let atom = value.atom { found.insert(atom.uppercased()) } }
        }
      }
      capabilities = found
    }
  }

  /// Says LOGOUT (errors ignored) and closes the connection.
  public func logout() {
    guard let connection, connection.isOpen else {
      disconnect()
      return
    }
    loggingOut = true
    defer { loggingOut = false }
    _ = try? execute("LOGOUT")
    disconnect()
  }

  func disconnect() {
    connection?.close()
    connection = nil
    selectedFolder = nil
    buffer.removeAll()
  }

  /// Runs `body`; an error that leaves the connection in an unknown state disconnects.
  @discardableResult
  func guarded<T>(_ body: () throws -> T) throws -> T {
    guard connection != nil else { throw IMAPError.closed }
    do {
      return try body()
    } catch let error as IMAPError {
      if !error.connectionUsable { disconnect() }
      throw error
    }
  }

  // MARK: Folders

  public func select(_ folder: String, readOnly: Bool) throws -> IMAPFolderStatus {
    try guarded {
      selectedFolder = nil
      var validity: UInt32?
      var next: UInt32?
      var count = 0
      let verb = readOnly ? "EXAMINE" : "SELECT"
      try execute("\(verb) \(Self.mailbox(folder))") { response in
        switch response {
        case .numbered(let number, "EXISTS", _):
          count = Int(number)
        case .status(let status) where status.status == .ok:
          if let value = status.codeNumber("UIDVALIDITY"), value <= UInt32.max {
            validity = UInt32(value)
          }
          if let value = status.codeNumber("UIDNEXT"), value <= UInt32.max {
            next = UInt32(value)
          }
        default:
          break
        }
      }
      guard let validity else {
        throw IMAPError.protocolViolation("\(verb) \(folder) reported no UIDVALIDITY")
      }
      selectedFolder = folder
      exists = count
      newMail = false
      return IMAPFolderStatus(uidValidity: validity, uidNext: next, exists: count)
    }
  }

  /// Every folder, decoded from modified UTF-7.
  public func listFolders() throws -> [String] {
    try guarded {
      var names: [String] = []
      try execute("LIST \"\" \"*\"") { response in
        guard case .data("LIST", let values) = response, values.count >= 3,
          let raw = values[2].text
        else { return }
        names.append(ModifiedUTF7.decode(raw) ?? raw)
      }
      return names
    }
  }

  public func create(_ folder: String) throws {
    try guarded { try execute("CREATE \(Self.mailbox(folder))") }
  }

  /// Deletes a folder (tests, the bench).
  public func delete(_ folder: String) throws {
    try guarded { try execute("DELETE \(Self.mailbox(folder))") }
  }

  /// Appends a letter; with `LITERAL+` in one write, otherwise after the server's `+`.
  public func append(_ folder: String, message: [UInt8], flags: [String]) throws {
    try guarded {
      let nonSynchronizing = capabilities.contains("LITERAL+")
      let tag = nextTag()
      let size = "\(message.count)\(nonSynchronizing ? "+" : "")"
      let head =
        "\(tag) APPEND \(Self.mailbox(folder)) (\(flags.joined(separator: " "))) {\(size)}\r\n"
      var bytes = Array(head.utf8)
      if nonSynchronizing {
        bytes.append(contentsOf: message)
        bytes.append(contentsOf: [13, 10])
        try connection?.send(bytes)
      } else {
        try connection?.send(bytes)
        waiting: while true {
          switch try read() {
          case .continuation: break waiting
          case .tagged(let received, let status):
            guard received == tag else { throw unexpectedTag(received) }
            throw Self.failure(status)
          default: continue
          }
        }
        try connection?.send(message + [13, 10])
      }
      try complete(tag) { _ in }
    }
  }

  // MARK: Searching

  public func uidSearchAll() throws -> [UInt32] {
    try search("UID SEARCH ALL")
  }

  /// UIDs of letters without \Seen.
  public func uidSearchUnseen() throws -> [UInt32] {
    try search("UID SEARCH UNSEEN")
  }

  /// UIDs of letters whose internal date is on or after the day of `since` (UTC).
  public func uidSearch(since: Date) throws -> [UInt32] {
    try search("UID SEARCH SINCE \(IMAPDate.searchDate(since))")
  }

  /// Which of `uids` the folder still has.
  public func present(_ uids: [UInt32]) throws -> [UInt32] {
    try guarded {
      let asked = Set(uids)
      var found: [UInt32] = []
      for set in UIDSet.chunks(asked.sorted(), maxCount: 1000) {
        found += try search("UID SEARCH UID \(set.text)").filter { asked.contains($0) }
      }
      return Array(Set(found)).sorted()
    }
  }

  /// UIDs greater than `uid`. `UID SEARCH UID n+1:*` also returns the last UID when it is not
  /// above n (`*` is the highest UID in use); that one is dropped.
  public func uidsAbove(_ uid: UInt32) throws -> [UInt32] {
    guard uid < UInt32.max else { return [] }
    return try search("UID SEARCH UID \(uid + 1):*").filter { $0 > uid }
  }

  func search(_ command: String) throws -> [UInt32] {
    try guarded {
      var uids: [UInt32] = []
      try execute(command) { response in
        guard case .data("SEARCH", let values) = response else { return }
        for value in values {
          guard let uid = value.uid else {
            throw IMAPError.protocolViolation("SEARCH returned \(value.text ?? "a non-number")")
          }
          uids.append(uid)
        }
      }
      uids.sort()
      return uids
    }
  }

  // MARK: Flags and moving

  /// `UID STORE set +FLAGS.SILENT (\Seen)`.
  public func markSeen(uids: [UInt32]) throws {
    try store(uids, flag: "\\Seen")
  }

  private func store(_ uids: [UInt32], flag: String) throws {
    try guarded {
      for set in UIDSet.chunks(Array(Set(uids)).sorted(), maxCount: 5_000) {
        try execute("UID STORE \(set.text) +FLAGS.SILENT (\(flag))")
      }
    }
  }

  /// `UID MOVE`; where MOVE is not advertised `UID COPY`, `\Deleted` and `UID EXPUNGE` (with
  /// UIDPLUS) or `EXPUNGE` (without; other letters marked \Deleted — by a person's mail client,
  /// waiting for its own expunge — are unmarked around it and marked again after). Letters
  /// in `alreadyCopied` (an earlier attempt copied them, then could not remove them) are not
  /// copied again. When letters were copied but the server refused to remove them, the error
  /// is ``IMAPPartialMove``, naming them.
  public func move(uids: [UInt32], to folder: String, alreadyCopied: Set<UInt32> = []) throws {
    try guarded {
      let target = Self.mailbox(folder)
      var copied: [UInt32] = []
      for set in UIDSet.chunks(Array(Set(uids)).sorted(), maxCount: 5_000) {
        if capabilities.contains("MOVE") {
          try execute("UID MOVE \(set.text) \(target)")
          continue
        }
        let toCopy = set.uids.filter { !alreadyCopied.contains($0) }
        for part in UIDSet.chunks(toCopy, maxCount: 5_000) {
          try execute("UID COPY \(part.text) \(target)")
        }
        copied += set.uids
        do {
          try execute("UID STORE \(set.text) +FLAGS.SILENT (\\Deleted)")
          if capabilities.contains("UIDPLUS") {
            try execute("UID EXPUNGE \(set.text)")
          } else {
            try expungeOnly(set.uids)
          }
        } catch let error as IMAPError {
          throw IMAPPartialMove(copied: copied, error: error)
        }
        copied.removeAll()
      }
    }
  }

  /// Without UIDPLUS, `EXPUNGE` removes every letter marked \Deleted in the folder. Letters
  /// someone else marked are unmarked first and marked again afterwards, so only `uids` go.
  private func expungeOnly(_ uids: [UInt32]) throws {
    let ours = Set(uids)
    let others = try search("UID SEARCH DELETED").filter { !ours.contains($0) }.sorted()
    let sets = UIDSet.chunks(others, maxCount: 5_000)
    for set in sets { try execute("UID STORE \(set.text) -FLAGS.SILENT (\\Deleted)") }
    var failure: (any Error)?
    do { try execute("EXPUNGE") } catch { failure = error }
    for set in sets { try execute("UID STORE \(set.text) +FLAGS.SILENT (\\Deleted)") }
    if let failure { throw failure }
  }

  // MARK: Waiting

  /// `IDLE` until the server reports new mail (EXISTS above the known count, or RECENT), the
  /// timeout passes or `shouldStop` (checked every 100 ms) says so; then `DONE`. True when new
  /// mail was reported — at once, without IDLE, when it was reported since the last SELECT.
  public func idle(timeout: Double, shouldStop: () -> Bool) throws -> Bool {
    try guarded {
      guard capabilities.contains("IDLE") else { throw IMAPError.unsupported("IDLE") }
      // Mail announced since the folder was selected (an EXISTS during the pass, after its
      // search) is not waited for: the caller passes again at once.
      if takeNewMail() { return true }
      let tag = try send("IDLE")
      waiting: while true {
        switch try read() {
        case .continuation: break waiting
        case .tagged(let received, let status):
          guard received == tag else { throw unexpectedTag(received) }
          if status.status == .ok { return takeNewMail() }
          throw Self.failure(status)
        default: continue
        }
      }
      let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout) * 1e9)
      while !newMail && !shouldStop() {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { break }
        let slice = min(100, Int((deadline - now) / 1_000_000) + 1)
        if case .tagged(let received, let status) = try read(milliseconds: slice) {
          guard received == tag else { throw unexpectedTag(received) }
          if status.status == .ok { return takeNewMail() }
          throw Self.failure(status)
        }
      }
      try connection?.send(Array("DONE\r\n".utf8))
      try complete(tag) { _ in }
      return takeNewMail()
    }
  }

  /// Whether new mail was announced, forgetting it (it is reported once).
  private func takeNewMail() -> Bool {
    defer { newMail = false }
    return newMail
  }

  public func noop() throws {
    try guarded { try execute("NOOP") }
  }

  // MARK: Commands and responses

  func nextTag() -> String {
    tagCounter += 1
    return "T\(tagCounter)"
  }

  /// Sends `tag command CRLF`; returns the tag.
  func send(_ command: String) throws -> String {
    guard let connection else { throw IMAPError.closed }
    let tag = nextTag()
    try connection.send(Array("\(tag) \(command)\r\n".utf8))
    return tag
  }

  /// Runs one command to its tagged answer; untagged responses go to `untagged`.
  @discardableResult
  func execute(_ command: String, untagged: (IMAPResponse) throws -> Void = { _ in })
    throws -> IMAPStatusText
  {
    let tag = try send(command)
    return try complete(tag, untagged: untagged)
  }

  @discardableResult
  func complete(_ tag: String, untagged: (IMAPResponse) throws -> Void) throws
    -> IMAPStatusText
  {
    while true {
      guard let response = try read() else { continue }
      switch response {
      case .tagged(let received, let status):
        guard received == tag else { throw unexpectedTag(received) }
        guard status.status == .ok else { throw Self.failure(status) }
        return status
      case .continuation(let text):
        throw IMAPError.protocolViolation("unexpected continuation \"+ \(text)\"")
      default:
        try untagged(response)
      }
    }
  }

  func unexpectedTag(_ tag: String) -> IMAPError {
    .protocolViolation("answer for unknown tag \(tag)")
  }

  static func failure(_ status: IMAPStatusText) -> IMAPError {
    status.status == .no ? .no(status.message) : .bad(status.message)
  }

  /// The next complete response; nil when `milliseconds` passed without one. Keeps the folder's
  /// message counts current and turns an untagged BYE into `.bye`.
  func read(milliseconds: Int? = nil) throws -> IMAPResponse? {
    guard let connection else { throw IMAPError.closed }
    while true {
      var missing = 0
      let readable = UnsafeBufferPointer(start: buffer.readPointer, count: buffer.readableCount)
      if let length = try framer.frame(readable, missing: &missing) {
        let bytes = UnsafeBufferPointer(rebasing: readable[0..<length])
        let response: IMAPResponse
        if let fields = try IMAPResponseParser.parseFetch(bytes) {
          response = .fetch(fields)
        } else {
          response = try IMAPResponseParser.parse(bytes)
        }
        buffer.consume(length)
        try track(response)
        return response
      }
      buffer.reserve(max(missing, 64 * 1024))
      if try connection.receive(into: buffer, milliseconds: milliseconds) == 0 { return nil }
    }
  }

  func read() throws -> IMAPResponse {
    while true {
      if let response = try read(milliseconds: nil) { return response }
    }
  }

  func track(_ response: IMAPResponse) throws {
    switch response {
    case .numbered(let count, "EXISTS", _):
      if Int(count) > exists { newMail = true }
      exists = Int(count)
    case .numbered(let count, "RECENT", _):
      if Int(count) > recent && selectedFolder != nil { newMail = true }
      recent = Int(count)
    case .numbered(_, "EXPUNGE", _):
      exists = max(0, exists - 1)
    case .status(let status) where status.status == .bye:
      if !loggingOut {
        sessionOver = true
        throw IMAPError.bye(status.message)
      }
    default:
      break
    }
  }

  /// A mailbox name as an IMAP quoted string of its modified UTF-7 form.
  static func mailbox(_ name: String) -> String {
    quoted(ModifiedUTF7.encode(name))
  }

  static func quoted(_ text: String) -> String {
    var output = "\""
    for character in text {
      if character == "\"" || character == "\\" { output.append("\\") }
      output.append(character)
    }
    output.append("\"")
    return output
  }
}
