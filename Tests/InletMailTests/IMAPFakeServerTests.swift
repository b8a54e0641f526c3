import Foundation
import Synchronization
import Testing

@testable import InletMail

#if canImport(Glibc)
  import Glibc
#endif

/// A scripted IMAP server on loopback for what a real Dovecot will not do: XOAUTH2, silence,
/// garbage, an early BYE, a connection cut in a literal.
private final class FakeIMAPServer: @unchecked Sendable {
  /// Answers one command line (without CRLF): the bytes to send back, nil to stay silent;
  /// ending in `closeConnection`, the server hangs up after sending the rest.
  typealias Responder = @Sendable (_ tag: String, _ command: String) -> String?
  static let closeConnection = "\u{0}close"

  let port: Int
  private let listener: Int32
  private let responder: Responder
  private let lock = NSLock()
  private var clients: [Int32] = []
  private var stopped = false

  init(
    capabilities: String = "IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR IDLE",
    responder: @escaping Responder
  ) throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var one: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
      }
    }
    guard bound, listen(descriptor, 8) == 0 else { throw IMAPError.connect("fake server bind") }
    listener = descriptor
    port = Int(UInt16(bigEndian: address.sin_port))
    self.responder = { tag, command in
      let upper = command.uppercased()
      if upper == "CAPABILITY" {
        return "* CAPABILITY \(capabilities)\r\n\(tag) OK done\r\n"
      }
      return responder(tag, command)
    }
    let thread = Thread { [self] in acceptLoop() }
    thread.start()
  }

  deinit { stop() }

  func stop() {
    // Under the lock, as `serve` closes its descriptor under it: a descriptor number closed and
    // reused by another test's socket in between must never be shut down here.
    let wasStopped = lock.withLock {
      defer { stopped = true }
      if !stopped {
        for descriptor in clients { shutdown(descriptor, Int32(SHUT_RDWR)) }
      }
      return stopped
    }
    guard !wasStopped else { return }
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func acceptLoop() {
    while true {
      let client = accept(listener, nil, nil)
      guard client >= 0 else { return }
      lock.withLock { clients.append(client) }
      let thread = Thread { [self] in serve(client) }
      thread.start()
    }
  }

  private func serve(_ client: Int32) {
    defer {
      lock.withLock {
        clients.removeAll { $0 == client }
        close(client)
      }
    }
    guard write(client, "* OK fake IMAP ready\r\n") else { return }
    var pending: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = read(client, &chunk, chunk.count)
      guard count > 0 else { return }
      pending += chunk[0..<count]
      while let newline = pending.firstIndex(of: 10) {
        var line = String(decoding: pending[..<newline], as: UTF8.self)
        pending.removeFirst(newline + 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let reply = responder(parts.first ?? "", parts.count > 1 ? parts[1] : "")
        guard var reply else { continue }
        let hangUp = reply.hasSuffix(Self.closeConnection)
        if hangUp { reply.removeLast(Self.closeConnection.count) }
        if !write(client, reply) || hangUp { return }
      }
    }
  }

  private func write(_ client: Int32, _ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
      guard sent > 0 else { return false }
      offset += sent
    }
    return true
  }
}

@Suite("IMAP client against a scripted server")
struct IMAPFakeServerTests {
  private func endpoint(_ server: FakeIMAPServer, credential: IMAPCredential, timeout: Double = 5)
    -> IMAPEndpoint
  {
    IMAPEndpoint(
      url: "imap://127.0.0.1:\(server.port)/INBOX", username: "sales@example.ru",
      credential: credential, tls: .none, timeout: timeout)
  }

  /// Answers logins (PLAIN, XOAUTH2 with `token`), SELECT and NOOP like a well-behaved server.
  private static func standard(token: String, _ tag: String, _ command: String) -> String? {
    let words = command.split(separator: " ").map(String.init)
    switch words.first?.uppercased() {
    case "AUTHENTICATE":
      if words.count > 1, words[1].uppercased() == "PLAIN" { return "\(tag) OK logged in\r\n" }
      let expected = "user=sales@example.ru\u{1}auth=Bearer \(token)\u{1}\u{1}"
      let sent = words.count > 2 ? Data(base64Encoded: words[2]) : nil
      if sent == Data(expected.utf8) { return "\(tag) OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n" }
      return "\(tag) NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"
    case "SELECT", "EXAMINE":
      return "* 2 EXISTS\r\n* OK [UIDVALIDITY 77] ok\r\n* OK [UIDNEXT 3] ok\r\n\(tag) OK done\r\n"
    case "NOOP", "LOGOUT":
      return "\(tag) OK done\r\n"
    default:
      return "\(tag) BAD unknown\r\n"
    }
  }

  @Test("XOAUTH2: the bearer token goes as SASL XOAUTH2; a rejected token is .authentication")
  func xoauth2() throws {
    let server = try FakeIMAPServer { Self.standard(token: "ya29.good", $0, $1) }
    defer { server.stop() }
    let client = try IMAPClient(
      endpoint: endpoint(server, credential: .xoauth2(token: "ya29.good")))
    try client.connect()
    #expect(client.capabilities.contains("AUTH=XOAUTH2"))
    #expect(try client.select("INBOX", readOnly: true).uidValidity == 77)
    client.logout()

    let rejected = try IMAPClient(
      endpoint: endpoint(server, credential: .xoauth2(token: "ya29.expired")))
    #expect {
      try rejected.connect()
    } throws: { error in
      (error as? IMAPError)?.isAuthentication == true
    }
  }

  @Test("a server that stops answering is .timeout, then the client is disconnected")
  func silence() throws {
    let server = try FakeIMAPServer { tag, command in
      command.uppercased().hasPrefix("SELECT") ? nil : Self.standard(token: "", tag, command)
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x"), timeout: 2))
    try client.connect()
    let start = Date()
    #expect(throws: IMAPError.timeout) { _ = try client.select("INBOX", readOnly: false) }
    // The 2 s timeout, not a hang (slack for a machine busy with other suites).
    #expect(Date().timeIntervalSince(start) < 10)
    #expect(!client.isConnected)
  }

  @Test("garbage, an early BYE, a cut literal and a huge literal are errors, never traps")
  func hostileServer() throws {
    let answers: [String: String] = [
      "GARBAGE": "\u{1}\u{FF}nonsense\r\n",
      "BYE": "* BYE going away\r\n",
      "CUT": "* 1 FETCH (UID 1 BODY[] {100}\r\nonly a little",
      "HUGE": "* 1 FETCH (UID 1 BODY[] {99999999999}\r\n",
      "WRONGTAG": "X9 OK done\r\n",
      "BADFETCH": "* 1 FETCH (UID 1 BODY[] {3}\r\nabcdef)\r\n",
    ]
    let server = try FakeIMAPServer { tag, command in
      let folder = command.split(separator: " ").last.map(String.init)?
        .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
      if command.uppercased().hasPrefix("SELECT"), let folder, let answer = answers[folder] {
        return folder == "CUT" ? answer + FakeIMAPServer.closeConnection : answer
      }
      return Self.standard(token: "", tag, command)
    }
    defer { server.stop() }
    for folder in answers.keys.sorted() {
      let client = try IMAPClient(
        endpoint: endpoint(server, credential: .password("x"), timeout: 2))
      client.maxResponseBytes = 1 << 20
      try client.connect()
      #expect(throws: IMAPError.self, "\(folder)") {
        _ = try client.select(folder, readOnly: false)
      }
      #expect(!client.isConnected, "\(folder)")
    }
  }

  @Test(
    "a letter without its body (NIL, empty, left out but still there) comes without bytes",
    arguments: ["nil", "empty", "omitted", "expunged"])
  func missingBody(variant: String) throws {
    let letter = "Subject: hi\r\n\r\nbody\r\n"
    let server = try FakeIMAPServer { tag, command in
      let upper = command.uppercased()
      if upper.hasPrefix("UID SEARCH") {
        let found = variant == "expunged" ? "" : " 2"
        return "* SEARCH\(found)\r\n\(tag) OK done\r\n"
      }
      guard upper.hasPrefix("UID FETCH") else { return Self.standard(token: "", tag, command) }
      if upper.hasSuffix("(UID RFC822.SIZE)") {
        return "* 1 FETCH (UID 1 RFC822.SIZE \(letter.utf8.count))\r\n"
          + "* 2 FETCH (UID 2 RFC822.SIZE \(letter.utf8.count))\r\n\(tag) OK done\r\n"
      }
      let first =
        "* 1 FETCH (UID 1 RFC822.SIZE \(letter.utf8.count) BODY[] {\(letter.utf8.count)}"
        + "\r\n\(letter))\r\n"
      let second: String
      switch variant {
      case "nil": second = "* 2 FETCH (UID 2 RFC822.SIZE \(letter.utf8.count) BODY[] NIL)\r\n"
      case "empty": second = "* 2 FETCH (UID 2 RFC822.SIZE \(letter.utf8.count) BODY[] \"\")\r\n"
      default: second = ""
      }
      return first + second + "\(tag) OK done\r\n"
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var handed: [IMAPFetchedMessage] = []
    try client.fetch(uids: [1, 2], maxBytes: 1 << 20, batch: 100) { handed.append($0) }
    #expect(handed.first?.uid == 1)
    #expect(handed.first?.bytes == Array(letter.utf8))
    if variant == "expunged" {
      #expect(handed.count == 1)
    } else {
      // Neither passed over nor a reason to stop: handed over empty, for the caller to keep.
      #expect(handed.count == 2)
      #expect(handed.last?.uid == 2)
      #expect(handed.last?.bytes.isEmpty == true)
      #expect(handed.last?.size == letter.utf8.count)
      // "" with a size is no letter either; NIL and a letter left out are said to be refused.
      #expect(handed.last?.unfetchable == (variant != "empty"))
    }
  }

  @Test(
    "a batch the server refuses (NO, or Exchange's BAD) is asked letter by letter; one still refused comes empty, one gone meanwhile does not come",
    arguments: [
      ("NO Some messages could not be FETCHed (Failure)", "NO [SERVERBUG] cannot read it", true),
      ("BAD Command Argument Error. 11", "BAD Command Argument Error. 11", true),
      // Expunged by a manager between the search and the fetch: Dovecot, then Gmail.
      (
        "NO [EXPUNGEISSUED] Some of the requested messages no longer exist",
        "NO [EXPUNGEISSUED] Some of the requested messages no longer exist", false
      ),
      ("NO Some messages could not be FETCHed (Failure)", "OK Success", false),
    ])
  func refusedBatch(batchAnswer: String, letterAnswer: String, stillThere: Bool) throws {
    let letter = "Subject: hi\r\n\r\nbody\r\n"
    let size = letter.utf8.count
    let fetched: @Sendable (Int) -> String = { uid in
      "* \(uid) FETCH (UID \(uid) RFC822.SIZE \(size) BODY[] {\(size)}\r\n\(letter))\r\n"
    }
    let server = try FakeIMAPServer { tag, command in
      let upper = command.uppercased()
      if upper == "UID SEARCH UID 2" {
        return "* SEARCH\(stillThere ? " 2" : "")\r\n\(tag) OK done\r\n"
      }
      guard upper.hasPrefix("UID FETCH") else { return Self.standard(token: "", tag, command) }
      if upper.hasSuffix("(UID RFC822.SIZE)") {
        return (1...3).map { "* \($0) FETCH (UID \($0) RFC822.SIZE \(size))\r\n" }.joined()
          + "\(tag) OK done\r\n"
      }
      if upper.hasPrefix("UID FETCH 1:3 ") {
        return fetched(1) + fetched(3) + "\(tag) \(batchAnswer)\r\n"
      }
      if upper.hasPrefix("UID FETCH 2 ") { return "\(tag) \(letterAnswer)\r\n" }
      return "\(tag) BAD unexpected\r\n"
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var handed: [IMAPFetchedMessage] = []
    try client.fetch(uids: [1, 2, 3], maxBytes: 1 << 20, batch: 100) { handed.append($0) }
    #expect(handed.prefix(2).allSatisfy { $0.bytes == Array(letter.utf8) })
    guard stillThere else {
      // Nothing to keep, nothing to quarantine: the folder no longer has it.
      #expect(handed.map(\.uid) == [1, 3])
      #expect(client.isConnected)
      return
    }
    #expect(handed.map(\.uid) == [1, 3, 2])
    #expect(handed.last?.bytes.isEmpty == true)
    #expect(handed.last?.unfetchable == true)
    #expect(handed.prefix(2).allSatisfy { !$0.unfetchable })
    #expect(client.isConnected)
  }

  @Test("a NO the server marks as temporary refuses the letters it names, not the mailbox")
  func temporaryRefusalRefusesLetters() throws {
    // Yahoo answers one broken letter `NO [UNAVAILABLE]` every time: the letters after it go
    // on, the refused one is handed over without bytes (kept, asked for again later).
    let letter = "Subject: hi\r\n\r\nbody\r\n"
    let size = letter.utf8.count
    let server = try FakeIMAPServer { tag, command in
      let upper = command.uppercased()
      // Still in the folder: asked whether it is, before it is handed over empty.
      if upper == "UID SEARCH UID 1" { return "* SEARCH 1\r\n\(tag) OK done\r\n" }
      guard upper.hasPrefix("UID FETCH") else { return Self.standard(token: "", tag, command) }
      if upper.hasSuffix("(UID RFC822.SIZE)") {
        return (1...2).map { "* \($0) FETCH (UID \($0) RFC822.SIZE \(size))\r\n" }.joined()
          + "\(tag) OK done\r\n"
      }
      if upper.hasPrefix("UID FETCH 1:2 ") || upper.hasPrefix("UID FETCH 1 ") {
        return "\(tag) NO [UNAVAILABLE] FETCH Server error while fetching messages\r\n"
      }
      return "* 2 FETCH (UID 2 RFC822.SIZE \(size) BODY[] {\(size)}\r\n\(letter))\r\n"
        + "\(tag) OK done\r\n"
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var handed: [IMAPFetchedMessage] = []
    try client.fetch(uids: [1, 2], maxBytes: 1 << 20, batch: 100) { handed.append($0) }
    #expect(Set(handed.map(\.uid)) == [1, 2])
    #expect(handed.first { $0.uid == 1 }?.unfetchable == true)
    #expect(handed.first { $0.uid == 2 }?.bytes == Array(letter.utf8))
    #expect(IMAPError.no("[UNAVAILABLE] down").isTemporary)
    #expect(IMAPError.no("[UNAVAILABLE] down").refusesLetters)
  }

  @Test("a BAD about the command itself fails the fetch; no letter is taken for unfetchable")
  func badCommandFails() throws {
    let server = try FakeIMAPServer { tag, command in
      let upper = command.uppercased()
      guard upper.hasPrefix("UID FETCH") else { return Self.standard(token: "", tag, command) }
      if upper.hasSuffix("(UID RFC822.SIZE)") {
        return (1...2).map { "* \($0) FETCH (UID \($0) RFC822.SIZE 20)\r\n" }.joined()
          + "\(tag) OK done\r\n"
      }
      return "\(tag) BAD Error in IMAP command UID FETCH: Invalid uidset\r\n"
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var handed: [IMAPFetchedMessage] = []
    #expect(throws: IMAPError.self) {
      try client.fetch(uids: [1, 2], maxBytes: 1 << 20, batch: 100) { handed.append($0) }
    }
    #expect(handed.isEmpty)
  }

  @Test("a letter's items split over two responses keep its INTERNALDATE, either order")
  func splitFetchResponses() throws {
    let letter = "Subject: hi\r\n\r\nbody\r\n"
    let size = letter.utf8.count
    let date = "\"17-Jul-1996 02:44:25 -0700\""
    let server = try FakeIMAPServer { tag, command in
      let upper = command.uppercased()
      guard upper.hasPrefix("UID FETCH") else { return Self.standard(token: "", tag, command) }
      if upper.hasSuffix("(UID RFC822.SIZE)") {
        return (1...2).map { "* \($0) FETCH (UID \($0) RFC822.SIZE \(size))\r\n" }.joined()
          + "\(tag) OK done\r\n"
      }
      let body: (Int) -> String = { "* \($0) FETCH (UID \($0) BODY[] {\(size)}\r\n\(letter))\r\n" }
      let meta: (Int) -> String = {
        "* \($0) FETCH (UID \($0) RFC822.SIZE \(size) INTERNALDATE \(date))\r\n"
      }
      // Letter 1: its date first; letter 2: its body first.
      return meta(1) + body(1) + body(2) + meta(2) + "\(tag) OK done\r\n"
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var handed: [IMAPFetchedMessage] = []
    try client.fetch(uids: [1, 2], maxBytes: 1 << 20, batch: 100) { handed.append($0) }
    #expect(handed.map(\.uid) == [1, 2])
    #expect(handed.allSatisfy { $0.bytes == Array(letter.utf8) })
    let expected = Date(timeIntervalSince1970: 837_596_665)
    #expect(handed.map(\.internalDate) == [expected, expected])
  }

  @Test("letters whose size the server refuses or leaves out are asked alone, never passed over")
  func refusedSizes() throws {
    let letter = "Subject: hi\r\n\r\nbody\r\n"
    let size = letter.utf8.count
    // The UIDs of a set such as `1,3:4`.
    let uids: @Sendable (Substring) -> [Int] = { set in
      set.split(separator: ",").flatMap { part -> [Int] in
        let bounds = part.split(separator: ":").compactMap { Int($0) }
        return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
      }
    }
    let server = try FakeIMAPServer { tag, command in
      let upper = command.uppercased()
      let words = command.split(separator: " ")
      if upper.hasPrefix("UID SEARCH UID ") {
        // The folder has 1–4; 5 was expunged.
        let found = uids(words[3]).filter { $0 <= 4 }.map(String.init).joined(separator: " ")
        return "* SEARCH \(found)\r\n\(tag) OK done\r\n"
      }
      guard upper.hasPrefix("UID FETCH") else { return Self.standard(token: "", tag, command) }
      let asked = uids(words[2])
      if upper.hasSuffix("(UID RFC822.SIZE)") {
        // Letter 2's file cannot be read: the size of 2 is refused; the many-letter command
        // gives 1 and 3 and says NO.
        if asked == [2] { return "\(tag) NO [SERVERBUG] cannot read it\r\n" }
        let sized = asked.count == 1 ? asked : [1, 3]
        return sized.map { "* \($0) FETCH (UID \($0) RFC822.SIZE \(size))\r\n" }.joined()
          + (asked.count == 1 ? "\(tag) OK done\r\n" : "\(tag) NO Some messages could not\r\n")
      }
      return asked.filter { $0 != 2 }.map {
        "* \($0) FETCH (UID \($0) RFC822.SIZE \(size) BODY[] {\(size)}\r\n\(letter))\r\n"
      }.joined() + "\(tag) OK done\r\n"
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    // The poller asks the sizes first: a NO gives those that came.
    #expect(try client.sizes(of: [1, 2, 3, 4, 5]) == [1: size, 3: size])
    var handed: [IMAPFetchedMessage] = []
    try client.fetch(uids: [1, 2, 3, 4, 5], maxBytes: 1 << 20, batch: 100) { handed.append($0) }
    // 4 is asked alone and comes; 2 is handed over without bytes; 5 is gone.
    #expect(handed.map(\.uid) == [1, 3, 4, 2])
    #expect(handed.prefix(3).allSatisfy { $0.bytes == Array(letter.utf8) })
    #expect(handed.last?.bytes.isEmpty == true)
    #expect(client.isConnected)
  }

  @Test("a letter the server hangs up on when its size is asked alone comes empty")
  func byeOnSize() throws {
    let server = try FakeIMAPServer { tag, command in
      if command.uppercased().hasPrefix("UID SEARCH UID ") {
        return "* SEARCH 7\r\n\(tag) OK done\r\n"
      }
      if command.uppercased().hasPrefix("UID FETCH 7 (UID RFC822.SIZE)") {
        return "* BYE Internal error occurred. Refer to server log for more information.\r\n"
      }
      return Self.standard(token: "", tag, command)
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var handed: [IMAPFetchedMessage] = []
    try client.fetch(uids: [7], maxBytes: 1 << 20, batch: 100, knownSizes: [:]) {
      handed.append($0)
    }
    #expect(handed.map(\.uid) == [7])
    #expect(handed.first?.bytes.isEmpty == true)
  }

  @Test(
    "a move without MOVE whose removal is refused names what it copied; the retry does not copy")
  func partialMove() throws {
    let commands = Mutex<[String]>([])
    let server = try FakeIMAPServer(capabilities: "IMAP4rev1 AUTH=PLAIN SASL-IR UIDPLUS") {
      tag, command in
      let upper = command.uppercased()
      commands.withLock { $0.append(upper) }
      if upper.hasPrefix("UID COPY") { return "\(tag) OK copied\r\n" }
      if upper.hasPrefix("UID STORE") { return "\(tag) NO [NOPERM] no \\Deleted right\r\n" }
      return Self.standard(token: "", tag, command)
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: false)
    var copied: Set<UInt32> = []
    do {
      try client.move(uids: [3, 4], to: "Processed")
      Issue.record("the move should have failed")
    } catch let partial as IMAPPartialMove {
      copied = Set(partial.copied)
      guard case .no = partial.error else {
        Issue.record("expected NO, got \(partial.error)")
        return
      }
    }
    #expect(copied == [3, 4])
    #expect(client.isConnected)
    #expect(throws: IMAPPartialMove.self) {
      try client.move(uids: [3, 4, 5], to: "Processed", alreadyCopied: copied)
    }
    let copies = commands.withLock { $0 }.filter { $0.hasPrefix("UID COPY") }
    #expect(copies == [#"UID COPY 3:4 "PROCESSED""#, #"UID COPY 5 "PROCESSED""#])
  }

  @Test("a move without MOVE or UIDPLUS expunges only its own letters, not others marked deleted")
  func moveWithoutUIDPlus() throws {
    let commands = Mutex<[String]>([])
    let server = try FakeIMAPServer(capabilities: "IMAP4rev1 AUTH=PLAIN SASL-IR") { tag, command in
      let upper = command.uppercased()
      commands.withLock { $0.append(upper) }
      if upper == "UID SEARCH DELETED" { return "* SEARCH 2 3 4 9\r\n\(tag) OK searched\r\n" }
      if upper.hasPrefix("UID ") || upper == "EXPUNGE" { return "\(tag) OK done\r\n" }
      return Self.standard(token: "", tag, command)
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    _ = try client.select("INBOX", readOnly: false)
    try client.move(uids: [3, 4], to: "Processed")
    let sent = commands.withLock { $0 }
    let from = try #require(sent.firstIndex { $0.hasPrefix("UID COPY") })
    #expect(
      Array(sent[from...]) == [
        #"UID COPY 3:4 "PROCESSED""#, #"UID STORE 3:4 +FLAGS.SILENT (\DELETED)"#,
        "UID SEARCH DELETED", #"UID STORE 2,9 -FLAGS.SILENT (\DELETED)"#, "EXPUNGE",
        #"UID STORE 2,9 +FLAGS.SILENT (\DELETED)"#,
      ])
  }

  @Test("an idle connection is kept known to NATs: TCP keep-alive is on")
  func keepAlive() throws {
    let server = try FakeIMAPServer { tag, command in Self.standard(token: "", tag, command) }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    #expect(client.connection?.keepsAlive == true)
  }

  @Test("the server's BYE is reported as .bye")
  func bye() throws {
    let server = try FakeIMAPServer { tag, command in
      command.uppercased().hasPrefix("NOOP")
        ? "* BYE Server shutting down.\r\n" : Self.standard(token: "", tag, command)
    }
    defer { server.stop() }
    let client = try IMAPClient(endpoint: endpoint(server, credential: .password("x")))
    try client.connect()
    #expect(throws: IMAPError.bye("Server shutting down.")) { try client.noop() }
  }
}
