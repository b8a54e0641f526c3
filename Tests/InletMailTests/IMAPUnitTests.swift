import Foundation
import Testing

@testable import InletMail

@Suite("IMAP modified UTF-7")
struct IMAPModifiedUTF7Tests {
  @Test("ASCII stands for itself, & becomes &-")
  func ascii() {
    #expect(ModifiedUTF7.encode("INBOX") == "INBOX")
    #expect(ModifiedUTF7.encode("Sales & Leads") == "Sales &- Leads")
    #expect(ModifiedUTF7.decode("Sales &- Leads") == "Sales & Leads")
    #expect(ModifiedUTF7.decode("INBOX.Processed") == "INBOX.Processed")
  }

  @Test("RFC 3501 examples")
  func rfcExamples() {
    #expect(ModifiedUTF7.encode("~peter/mail/台北/日本語") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-")
    #expect(ModifiedUTF7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/台北/日本語")
  }

  @Test("Cyrillic names round-trip")
  func cyrillic() {
    #expect(ModifiedUTF7.encode("Входящие") == "&BBIERQQ+BDQETwRJBDgENQ-")
    #expect(ModifiedUTF7.decode("&BBIERQQ+BDQETwRJBDgENQ-") == "Входящие")
    for name in ["Заявки", "Заявки/2024", "Обработано & архив", "Ёж ё", "a-б-c", "Письма 📨"] {
      let encoded = ModifiedUTF7.encode(name)
      #expect(encoded.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E })
      #expect(ModifiedUTF7.decode(encoded) == name)
    }
  }

  @Test("malformed input decodes to nil")
  func malformed() {
    #expect(ModifiedUTF7.decode("&BBIERQ") == nil)  // unterminated
    #expect(ModifiedUTF7.decode("&BBI*-") == nil)  // bad base64
    #expect(ModifiedUTF7.decode("&2D0-") == nil)  // lone surrogate
    #expect(ModifiedUTF7.decode("caf\u{E9}") == nil)  // 8-bit
  }
}

@Suite("IMAP response parsing")
struct IMAPParserTests {
  private func parse(_ text: String) throws -> IMAPResponse {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBufferPointer { try IMAPResponseParser.parse($0) }
  }

  private func frame(_ chunks: [String]) throws -> [Int] {
    var framer = IMAPFramer(maxResponseBytes: 1 << 20)
    var data: [UInt8] = []
    var lengths: [Int] = []
    for chunk in chunks {
      data += Array(chunk.utf8)
      while true {
        var missing = 0
        let length = try data.withUnsafeBufferPointer { try framer.frame($0, missing: &missing) }
        guard let length else { break }
        lengths.append(length)
        data.removeFirst(length)
      }
    }
    return lengths
  }

  @Test("tagged and untagged status responses")
  func status() throws {
    #expect(
      try parse("T1 OK [READ-WRITE] Select completed.\r\n")
        == .tagged(
          "T1", IMAPStatusText(status: .ok, code: "READ-WRITE", text: "Select completed.")))
    let validity = try parse("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n")
    guard case .status(let text) = validity else {
      Issue.record("not a status: \(validity)")
      return
    }
    #expect(text.codeNumber("UIDVALIDITY") == 3_857_529_045)
    #expect(
      try parse("* BYE shutting down\r\n") == .status(.init(status: .bye, text: "shutting down")))
    #expect(try parse("+ idling\r\n") == .continuation("idling"))
  }

  @Test("a FETCH with a literal body")
  func fetch() throws {
    let response = try parse(
      "* 12 FETCH (UID 40 RFC822.SIZE 5 INTERNALDATE \" 7-Mar-2024 09:05:01 +0300\" "
        + "BODY[] {5}\r\nab\r\nc)\r\n")
    guard case .numbered(12, "FETCH", let values) = response, let items = values.first?.list else {
      Issue.record("not a FETCH: \(response)")
      return
    }
    #expect(items[1] == .atom("40"))
    #expect(items[6] == .atom("BODY[]"))
    #expect(items[7] == .string(Array("ab\r\nc".utf8)))
    let date = items[5].text.flatMap(IMAPDate.parseInternalDate)
    #expect(date == Date(timeIntervalSince1970: 1_709_791_501))
  }

  @Test("the FETCH fast path")
  func fetchFastPath() throws {
    func fields(_ text: String) throws -> IMAPFetchFields? {
      try Array(text.utf8).withUnsafeBufferPointer { try IMAPResponseParser.parseFetch($0) }
    }
    let full = try fields(
      "* 12 fetch (FLAGS (\\Seen) uid 40 RFC822.SIZE 5 INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
        + "BODY[] {5}\r\nab\r\nc X-GM-LABELS (\"a b\" {1}\r\nc))\r\n")
    #expect(
      full
        == IMAPFetchFields(
          sequence: 12, uid: 40, size: 5, internalDate: Date(timeIntervalSince1970: 837_596_665),
          body: Array("ab\r\nc".utf8), headersOnly: false))
    let header = try fields("* 3 FETCH (UID 9 BODY[HEADER] \"a\\\"b\")\r\n")
    #expect(header?.body == Array("a\"b".utf8))
    #expect(header?.headersOnly == true)
    #expect(try fields("* 3 FETCH (UID 9 BODY[] NIL)\r\n")?.body == [])
    // Said outright: a NIL body without RFC822.SIZE is no empty letter to store.
    #expect(try fields("* 3 FETCH (UID 9 BODY[] NIL)\r\n")?.bodyNil == true)
    #expect(try fields("* 3 FETCH (UID 9 BODY[] {0}\r\n)\r\n")?.bodyNil == false)
    #expect(try fields("* 3 FETCH (FLAGS (\\Seen))\r\n")?.body == nil)
    #expect(try fields("* 3 EXISTS\r\n") == nil)
    #expect(try fields("* OK [UIDNEXT 5] x\r\n") == nil)
    for garbage in [
      "* 3 FETCH UID 9\r\n", "* 3 FETCH (UID x)\r\n", "* 3 FETCH (UID 0)\r\n",
      "* 3 FETCH (UID 9 BODY[] {7}\r\nab)\r\n", "* 3 FETCH (UID 9\r\n",
      "* 3 FETCH (INTERNALDATE 5)\r\n", "* 3 FETCH (BODY[] NOPE)\r\n",
    ] {
      #expect(throws: IMAPError.self, "\(garbage)") { _ = try fields(garbage) }
    }
  }

  @Test("section atoms keep their brackets, spaces and parentheses")
  func sections() throws {
    let response = try parse(
      "* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {2}\r\nab FLAGS (\\Seen \\*) X NIL)\r\n")
    guard case .numbered(1, "FETCH", let values) = response, let items = values.first?.list else {
      Issue.record("not a FETCH: \(response)")
      return
    }
    #expect(items[0] == .atom("BODY[HEADER.FIELDS (FROM TO)]"))
    #expect(items[3] == .list([.atom("\\Seen"), .atom("\\*")]))
    #expect(items[5] == .none)
  }

  @Test("LIST and SEARCH data")
  func data() throws {
    #expect(
      try parse("* LIST (\\HasNoChildren) \".\" \"&BBcEMARPBDIEOgQ4-\"\r\n")
        == .data(
          "LIST",
          [
            .list([.atom("\\HasNoChildren")]), .string([46]),
            .string(Array("&BBcEMARPBDIEOgQ4-".utf8)),
          ]
        ))
    #expect(
      try parse("* SEARCH 1 2 30\r\n") == .data("SEARCH", [.atom("1"), .atom("2"), .atom("30")]))
    #expect(try parse("* SEARCH\r\n") == .data("SEARCH", []))
    #expect(
      try parse("* LIST () \"/\" {3}\r\na\"b\r\n")
        == .data("LIST", [.list([]), .string([47]), .string(Array("a\"b".utf8))]))
  }

  @Test(
    "garbage throws a protocol violation, never traps",
    arguments: [
      "", "*", "* 5", "T1", "T1 MAYBE x\r\n", "* 1 FETCH (UID 1\r\n", "* 1 FETCH UID 1)\r\n",
      "* 1 FETCH (BODY[] {9}\r\nab)\r\n", "* 1 FETCH (X \"unterminated\r\n",
      "* 1 FETCH (BODY[] {99999999999999999}\r\n", "* 1 FETCH (BODY[] {}\r\n)\r\n",
      String(repeating: "(", count: 100) + "\r\n", "* 99999999999 EXISTS\r\n",
    ])
  func garbage(text: String) {
    #expect(throws: IMAPError.self) { try parse(text) }
  }

  @Test("framing waits for literals and handles any split")
  func framing() throws {
    let stream =
      "* 1 FETCH (UID 7 BODY[] {12}\r\nline1\r\nline2)\r\n* 2 EXISTS\r\nT1 OK {3} done\r\n"
    let whole = try frame([stream])
    #expect(whole == [45, 12, 16])
    let bytes = Array(stream.utf8)
    for split in 1..<bytes.count {
      let first = String(decoding: bytes[..<split], as: UTF8.self)
      let second = String(decoding: bytes[split...], as: UTF8.self)
      #expect(try frame([first, second]) == whole, "split at \(split)")
    }
  }

  @Test("oversized responses are refused")
  func oversized() {
    var framer = IMAPFramer(maxResponseBytes: 100)
    let bytes = Array("* 1 FETCH (BODY[] {1000}\r\n".utf8)
    #expect(throws: IMAPError.self) {
      var missing = 0
      _ = try bytes.withUnsafeBufferPointer { try framer.frame($0, missing: &missing) }
    }
  }

  @Test("UID sets are compact and bounded")
  func uidSets() {
    let chunks = UIDSet.chunks([1, 2, 3, 5, 7, 8, 9, 10], maxCount: 100)
    #expect(chunks.map(\.text) == ["1:3,5,7:10"])
    #expect(UIDSet.chunks([1, 2, 3, 4, 5], maxCount: 2).map(\.text) == ["1:2", "3:4", "5"])
    let sparse = UIDSet.chunks(Array(stride(from: 1, to: 200_000, by: 2)), maxCount: 100_000)
    // With `UID FETCH … (UID RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER])` around it, a line
    // stays under Exchange's default 10,240 bytes and RFC 7162's 8,192.
    #expect(sparse.allSatisfy { $0.text.utf8.count <= 7_600 })
    #expect(sparse.reduce(0) { $0 + $1.uids.count } == 100_000)
  }

  @Test("dates")
  func dates() {
    #expect(IMAPDate.searchDate(Date(timeIntervalSince1970: 1_709_791_501)) == "7-Mar-2024")
    #expect(IMAPDate.searchDate(Date(timeIntervalSince1970: 0)) == "1-Jan-1970")
    #expect(
      IMAPDate.parseInternalDate("17-Jul-1996 02:44:25 -0700")
        == Date(timeIntervalSince1970: 837_596_665))
    #expect(IMAPDate.parseInternalDate("17-Foo-1996 02:44:25 -0700") == nil)
    #expect(IMAPDate.parseInternalDate("17-Jul-1996") == nil)
  }

  @Test("endpoint folder and TLS defaults")
  func endpoint() throws {
    let secure = IMAPEndpoint(
      url: "imaps://imap.example.ru/INBOX", username: "u", credential: .password("p"))
    #expect(secure.tls == .implicit)
    #expect(secure.folder == "INBOX")
    let plain = IMAPEndpoint(
      url: "imap://127.0.0.1:1143/%D0%97%D0%B0%D1%8F%D0%B2%D0%BA%D0%B8", username: "u",
      credential: .password("p"))
    #expect(plain.tls == .starttls)
    #expect(plain.folder == "Заявки")
    #expect(
      IMAPEndpoint(url: "imap://h", username: "u", credential: .password("p")).folder == "INBOX")
    let wrong = IMAPEndpoint(
      url: "imaps://h/INBOX", username: "u", credential: .password("p"), tls: .none)
    #expect(throws: IMAPError.self) { try IMAPClient(endpoint: wrong) }
    #expect(throws: IMAPError.self) {
      try IMAPClient(
        endpoint: IMAPEndpoint(url: "pop3://h", username: "u", credential: .password("p")))
    }
  }
}
