import Foundation
import InletMail
import InletTestSupport
import Testing

@Suite("IMAP client against Dovecot", .serialized)
struct IMAPClientTests {
  typealias H = IMAPTestHelpers

  @Test("login, capabilities and SELECT")
  func login() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let client = try H.connected(server)
    #expect(client.capabilities.contains("IMAP4REV1"))
    #expect(client.capabilities.contains("IDLE"))
    let status = try client.select("INBOX", readOnly: false)
    #expect(status.uidValidity > 0)
    #expect(status.exists == 0)
    #expect(try client.uidSearchAll().isEmpty)
    try client.noop()
    client.logout()
    #expect(!client.isConnected)
  }

  @Test("a wrong password is an authentication error")
  func wrongPassword() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let client = try IMAPClient(endpoint: H.endpoint(server, password: "wrong"))
    #expect {
      try client.connect()
    } throws: { error in
      (error as? IMAPError)?.isAuthentication == true
    }
    #expect(!client.isConnected)
  }

  @Test("a server that is not there is a connect error")
  func noServer() throws {
    let endpoint = IMAPEndpoint(
      url: "imap://127.0.0.1:\(TestPorts.free())/INBOX", username: "sales",
      credential: .password("secret"), tls: .none, timeout: 5)
    let client = try IMAPClient(endpoint: endpoint)
    #expect {
      try client.connect()
    } throws: { error in
      if case .connect = error as? IMAPError { return true }
      return false
    }
    #expect(throws: IMAPError.closed) { try client.noop() }
  }

  @Test("fetched letters are byte-identical, in UID order, with sizes and dates")
  func fetchIdentical() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let letters = (1...25).map { H.letter($0, bodyBytes: $0 * 300) }
    try server.dropLetters(letters)
    let client = try H.connected(server)
    let status = try client.select("INBOX", readOnly: false)
    #expect(status.exists == 25)
    #expect(status.uidNext == 26)
    let messages = try H.fetchAll(client, batch: 7)
    #expect(messages.map(\.uid) == Array(1...25))
    #expect(messages.map(\.bytes) == letters)
    #expect(messages.map(\.size) == letters.map(\.count))
    #expect(messages.allSatisfy { !$0.headersOnly && $0.internalDate != nil })

    var subset: [UInt32] = []
    try client.fetch(uids: [20, 3, 3, 999, 11], maxBytes: 1 << 20, batch: 2) {
      subset.append($0.uid)
    }
    #expect(subset == [3, 11, 20])
  }

  @Test("uidsAbove and uidSearch(since:)")
  func searching() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    try server.dropLetters((1...5).map { H.letter($0) })
    let client = try H.connected(server)
    _ = try client.select("INBOX", readOnly: true)
    #expect(try client.uidsAbove(0) == [1, 2, 3, 4, 5])
    #expect(try client.uidsAbove(3) == [4, 5])
    // "6:*" is "5:6" on the server: the last UID comes back and must be dropped.
    #expect(try client.uidsAbove(5) == [])
    #expect(try client.uidsAbove(500) == [])
    #expect(try client.uidsAbove(UInt32.max) == [])
    #expect(try client.uidSearch(since: Date().addingTimeInterval(-86_400)) == [1, 2, 3, 4, 5])
    #expect(try client.uidSearch(since: Date().addingTimeInterval(3 * 86_400)) == [])
  }

  @Test("a pipelined fetch of 3,000 letters")
  func pipelined() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let letters = (1...3000).map { H.letter($0, bodyBytes: ($0 % 7) * 500) }
    try server.dropLetters(letters)
    let client = try H.connected(server)
    _ = try client.select("INBOX", readOnly: true)
    var count = 0
    var previous: UInt32 = 0
    var matching = true
    try client.fetch(uids: try client.uidsAbove(0), maxBytes: 1 << 20, batch: 500) { message in
      matching =
        matching && message.uid > previous && message.bytes == letters[Int(message.uid) - 1]
      previous = message.uid
      count += 1
    }
    #expect(count == 3000)
    #expect(matching)
  }

  @Test("a letter over maxBytes comes as headers only, in its place")
  func oversized() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let big = H.letter(2, bodyBytes: 300_000)
    try server.dropLetters([H.letter(1), big, H.letter(3)])
    let client = try H.connected(server)
    _ = try client.select("INBOX", readOnly: false)
    let messages = try H.fetchAll(client, maxBytes: 100_000)
    #expect(messages.map(\.uid) == [1, 2, 3])
    #expect(messages.map(\.headersOnly) == [false, true, false])
    #expect(messages[1].size == big.count)
    let header = String(decoding: messages[1].bytes, as: UTF8.self)
    #expect(header.hasPrefix("From: Client 2"))
    #expect(header.hasSuffix("\r\n\r\n"))
    #expect(header.contains("Message-ID: <letter-2@example.ru>"))
    #expect(!header.contains("0123456789"))
  }

  @Test("BODY.PEEK leaves letters unseen; markSeen sets \\Seen")
  func seenFlags() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    try server.dropLetters((1...4).map { H.letter($0) })
    let client = try H.connected(server)
    _ = try client.select("INBOX", readOnly: false)
    _ = try H.fetchAll(client)
    try client.noop()
    #expect(try unseen(client) == [1, 2, 3, 4])
    try client.markSeen(uids: [2, 4])
    #expect(try unseen(client) == [1, 3])
    client.logout()
    // The flags are on disk: Maildir names end in ":2,S" for seen letters.
    let seenFiles = server.letterFiles().filter { $0.hasSuffix("S") }
    #expect(seenFiles.count == 2)
  }

  private func unseen(_ client: IMAPClient) throws -> [UInt32] {
    let other = try IMAPClient(endpoint: client.endpoint)
    try other.connect()
    defer { other.logout() }
    _ = try other.select("INBOX", readOnly: true)
    return try other.uidSearchUnseen()
  }

  @Test("move with MOVE")
  func move() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    try server.dropLetters((1...5).map { H.letter($0) })
    let client = try H.connected(server)
    #expect(client.capabilities.contains("MOVE"))
    try client.create("Processed")
    _ = try client.select("INBOX", readOnly: false)
    try client.move(uids: [2, 3, 5], to: "Processed")
    #expect(try client.uidSearchAll() == [1, 4])
    let moved = try client.select("Processed", readOnly: true)
    #expect(moved.exists == 3)
    let bodies = try H.fetchAll(client).map(\.bytes)
    #expect(bodies == [H.letter(2), H.letter(3), H.letter(5)])
  }

  @Test(
    "move without MOVE: COPY, \\Deleted, then UID EXPUNGE (UIDPLUS) or EXPUNGE; APPEND without LITERAL+",
    arguments: ["IMAP4rev1 IDLE UIDPLUS", "IMAP4rev1 IDLE"])
  func moveFallback(capabilities: String) throws {
    let server = try DovecotServer(extraConfig: "imap_capability = \(capabilities)")
    defer { server.cleanUp() }
    try server.dropLetters((1...4).map { H.letter($0) })
    let client = try H.connected(server)
    #expect(!client.capabilities.contains("MOVE"))
    #expect(!client.capabilities.contains("LITERAL+"))
    #expect(client.capabilities.contains("UIDPLUS") == capabilities.contains("UIDPLUS"))
    try client.create("Processed")
    // Opening the folder numbers the dropped letters 1-4 before the append gets 5.
    _ = try client.select("INBOX", readOnly: false)
    try client.append("INBOX", message: H.letter(5), flags: [])
    try client.move(uids: [1, 3], to: "Processed")
    #expect(try client.uidSearchAll() == [2, 4, 5])
    #expect(try client.select("Processed", readOnly: true).exists == 2)
    #expect(try H.fetchAll(client).map(\.bytes) == [H.letter(1), H.letter(3)])
  }

  @Test("a Cyrillic folder: create, append, list, select, fetch")
  func cyrillicFolder() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let folder = "Заявки & Сделки"
    let client = try H.connected(server)
    try client.create(folder)
    #expect(try client.listFolders().contains(folder))
    try client.append(folder, message: H.letter(1), flags: [])
    try client.append(folder, message: H.letter(2), flags: ["\\Seen"])
    // The URL carries the folder percent-encoded; the endpoint decodes it.
    let endpoint = H.endpoint(server, folder: folder)
    #expect(endpoint.folder == folder)
    let other = try IMAPClient(endpoint: endpoint)
    try other.connect()
    let status = try other.select(endpoint.folder, readOnly: true)
    #expect(status.exists == 2)
    #expect(try H.fetchAll(other).map(\.bytes) == [H.letter(1), H.letter(2)])
    // On disk it is the modified UTF-7 name.
    let names = try FileManager.default.contentsOfDirectory(
      atPath: server.maildir(user: "sales").path)
    #expect(names.contains(".\(ModifiedUTF7.encode(folder))"))
  }

  @Test("a missing folder is NO and the connection stays usable")
  func missingFolder() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let client = try H.connected(server)
    #expect {
      _ = try client.select("Nowhere", readOnly: false)
    } throws: { error in
      if case .no = error as? IMAPError { return true }
      return false
    }
    #expect(client.isConnected)
    #expect(try client.select("INBOX", readOnly: false).exists == 0)
  }

  @Test("IDLE wakes within 2 s of an append from another connection")
  func idle() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let client = try H.connected(server)
    _ = try client.select("INBOX", readOnly: false)
    #expect(try client.idle(timeout: 0.3) { false } == false)

    // The wake is timed from the moment the append finished; on a machine busy with other
    // suites one wake may be late, so the fastest of up to three appends must be under 2 s.
    // Each must wake the IDLE (false would be the 10 s timeout).
    var delays: [Double] = []
    for number in 1...3 {
      let appended = AppendTime()
      let appender = Thread {
        Thread.sleep(forTimeInterval: 0.3)
        try? server.append(H.letter(number))
        appended.set(Date())
      }
      appender.start()
      let woke = try client.idle(timeout: 10) { false }
      let now = Date()
      #expect(woke)
      // The wake may come before curl has finished; then it took no time at all.
      let finished = appended.value ?? now
      delays.append(max(0, now.timeIntervalSince(finished)))
      while appended.value == nil { Thread.sleep(forTimeInterval: 0.01) }
      if delays.last! < 2 { break }
    }
    #expect(delays.min()! < 2, "\(delays)")
    #expect(try client.uidsAbove(0) == Array(1...UInt32(delays.count)))

    // shouldStop ends the wait early.
    let stopAt = Date().addingTimeInterval(0.3)
    let stopped = Date()
    #expect(try client.idle(timeout: 10) { Date() > stopAt } == false)
    #expect(Date().timeIntervalSince(stopped) < 8)
    try client.noop()

    // Mail announced outside IDLE (an EXISTS during a pass, here after a NOOP) is not waited
    // for: the next IDLE returns at once, and only that one.
    try server.append(H.letter(9))
    try client.noop()
    let announced = Date()
    #expect(try client.idle(timeout: 10) { false })
    #expect(Date().timeIntervalSince(announced) < 1)
    #expect(try client.idle(timeout: 0.3) { false } == false)
  }

  @Test("the timeout bounds each wait, not the connection: quiet spells and IDLE outlast it")
  func longLived() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let client = try IMAPClient(endpoint: H.endpoint(server, timeout: 2))
    try client.connect()
    _ = try client.select("INBOX", readOnly: false)
    Thread.sleep(forTimeInterval: 4)
    try client.noop()
    #expect(try client.idle(timeout: 3) { false } == false)
    try client.noop()
  }

  @Test("a server stopped mid-fetch is an error, not a hang; a new connection resumes")
  func serverStoppedMidFetch() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    try server.dropLetters((1...3000).map { H.letter($0, bodyBytes: 2000) })
    let client = try IMAPClient(endpoint: H.endpoint(server, timeout: 5))
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    var received: [UInt32] = []
    let start = Date()
    #expect(throws: IMAPError.self) {
      try client.fetch(uids: try client.uidsAbove(0), maxBytes: 1 << 20, batch: 100) { message in
        received.append(message.uid)
        if received.count == 150 { server.stop() }
      }
    }
    // An error within the 5 s timeout plus the server's stop, not a hang.
    #expect(Date().timeIntervalSince(start) < 30)
    #expect(received.count >= 150 && received.count < 3000)
    #expect(!client.isConnected)
    #expect(throws: IMAPError.closed) { try client.noop() }

    try server.start()
    try client.connect()
    _ = try client.select("INBOX", readOnly: true)
    let last = received.last ?? 0
    var rest: [UInt32] = []
    try client.fetch(uids: try client.uidsAbove(last), maxBytes: 1 << 20, batch: 500) {
      rest.append($0.uid)
    }
    #expect(received + rest == Array(1...3000))
  }

  @Test("an error thrown by the handler stops the fetch; the connection stays usable")
  func handlerError() throws {
    struct Stop: Error {}
    let server = try DovecotServer()
    defer { server.cleanUp() }
    try server.dropLetters((1...300).map { H.letter($0) })
    let client = try H.connected(server)
    _ = try client.select("INBOX", readOnly: true)
    var seen = 0
    #expect(throws: Stop.self) {
      try client.fetch(uids: try client.uidsAbove(0), maxBytes: 1 << 20, batch: 20) { _ in
        seen += 1
        if seen == 30 { throw Stop() }
      }
    }
    #expect(seen == 30)
    #expect(client.isConnected)
    #expect(try client.uidsAbove(290).count == 10)
  }

  @Test("UIDVALIDITY changes when the folder is recreated")
  func uidValidity() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    try server.dropLetters((1...3).map { H.letter($0) })
    let before = try H.connected(server).select("INBOX", readOnly: true)
    try server.recreateFolder()
    let after = try H.connected(server).select("INBOX", readOnly: true)
    #expect(after.uidValidity != before.uidValidity)
    #expect(after.exists == 3)
  }
}

/// When another thread's append finished.
private final class AppendTime: @unchecked Sendable {
  private let lock = NSLock()
  private var date: Date?

  var value: Date? { lock.withLock { date } }
  func set(_ value: Date) { lock.withLock { date = value } }
}
