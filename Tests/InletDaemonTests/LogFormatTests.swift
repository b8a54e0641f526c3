import Foundation
import Logging
import Testing

@testable import InletDaemon

/// The daemon's log lines: `<N>` priorities for journald, JSON lines for log shippers.
@Suite struct LogFormatTests {
  @Test func journaldPrioritiesWithJournalStream() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["JOURNAL_STREAM": daemon.journalStream]
    try await daemon.start()
    // A rejected request is logged without the token it presented.
    let denied = try await daemon.request(
      .POST, "/hooks/site", headers: [("Authorization", "Bearer wrong-token")], body: [])
    #expect(denied.status == 401)
    #expect(daemon.stop() == 0)

    let lines = daemon.log().split(separator: "\n").map(String.init)
    #expect(!lines.isEmpty)
    for line in lines {
      #expect(line.wholeMatch(of: /<[2-7]>inlet: .*/) != nil, "\(line)")
      // No timestamp: journald adds its own.
      #expect(line.firstMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/) == nil, "\(line)")
    }
    #expect(lines.contains { $0.hasPrefix("<6>inlet: ") && $0.hasSuffix("database ready") })
    #expect(lines.contains { $0.hasPrefix("<5>inlet: ") && $0.hasSuffix("inlet is listening") })
    #expect(!daemon.log().contains("wrong-token") && !daemon.log().contains(daemon.siteToken))
  }

  /// The README suggests `debug` for a line per lead: it must not write the secrets of the
  /// config (ServiceLifecycle logs each service it starts and stops).
  @Test func debugLevelWritesNoSecrets() async throws {
    let deliverySecret = "delivery-\(UUID().uuidString)"
    let imapPassword = "imap-\(UUID().uuidString)"
    let daemon = try DaemonHarness(
      extraConfig: """
        delivery:
          url: http://127.0.0.1:9/crm
          secret_file: delivery-secret
        mailboxes:
          - name: sales
            url: imap://127.0.0.1:9/INBOX
            tls: none
            username: sales@example.ru
            password_file: imap-sales
        logging:
          level: debug
        """)
    defer { daemon.remove() }
    let credentials = daemon.folder.appendingPathComponent("credentials")
    try deliverySecret.write(
      to: credentials.appendingPathComponent("delivery-secret"), atomically: true, encoding: .utf8)
    try imapPassword.write(
      to: credentials.appendingPathComponent("imap-sales"), atomically: true, encoding: .utf8)
    daemon.environment = ["JOURNAL_STREAM": "", "INLET_TEST_SENTINEL": deliverySecret]
    try await daemon.start()
    let lead = try await daemon.postLead(#"{"name":"Анна","phone":"+79161234567"}"#)
    #expect(lead.status == 201)
    #expect(daemon.stop() == 0)
    let log = daemon.log()
    // The services were logged (by name) …
    #expect(log.contains("DeliveryService"), "\(log.prefix(2000))")
    #expect(log.contains("MailboxSupervisor"))
    // … and nothing secret: not the delivery secret, the mailbox password, the hook's or the
    // API's tokens, nor the process environment.
    for secret in [
      deliverySecret, imapPassword, daemon.siteToken, daemon.readToken, daemon.writeToken,
    ] {
      #expect(!log.contains(secret), "a secret in the log")
    }
    #expect(!log.contains("INLET_TEST_SENTINEL"))
  }

  /// A `JOURNAL_STREAM` inherited from a service (a shell under a user unit) names another
  /// stream than this stderr: the lines stay human-readable, with their timestamps.
  @Test(arguments: ["", "1:1"])
  func humanReadableWithoutJournalStream(stream: String) async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["JOURNAL_STREAM": stream]
    try await daemon.start()
    #expect(daemon.stop() == 0)
    let listening = try #require(
      daemon.log().split(separator: "\n").first { $0.hasSuffix("inlet is listening") })
    #expect(listening.firstMatch(of: #/^\d{4}-\d{2}-\d{2}T\S+ notice inlet: /#) != nil)
  }

  @Test func jsonLinesWithLogFormatJSON() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    daemon.environment = ["JOURNAL_STREAM": daemon.journalStream]  // an explicit format wins
    daemon.serveArguments = ["--log-format", "json"]
    try await daemon.start()
    #expect(daemon.stop() == 0)

    let lines = daemon.log().split(separator: "\n")
    #expect(!lines.isEmpty)
    var entries: [[String: Any]] = []
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let entry = try #require(object, "not a JSON object: \(line)")
      #expect(entry["time"] is String && entry["level"] is String && entry["label"] is String)
      #expect(entry["message"] is String && entry["metadata"] is [String: Any])
      entries.append(entry)
    }
    let listening = try #require(entries.first { $0["message"] as? String == "inlet is listening" })
    #expect(listening["level"] as? String == "notice")
    #expect(listening["label"] as? String == "inlet")
    let metadata = try #require(listening["metadata"] as? [String: Any])
    #expect(metadata["http.port"] as? String == "\(daemon.port)")
    let time = try #require(listening["time"] as? String)
    #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time) <= Date())
  }

  @Test func jsonFromTheConfig() async throws {
    let daemon = try DaemonHarness(extraConfig: "logging:\n  format: json\n")
    defer { daemon.remove() }
    try await daemon.start()
    #expect(daemon.stop() == 0)
    let first = try #require(daemon.log().split(separator: "\n").first)
    #expect(try JSONSerialization.jsonObject(with: Data(first.utf8)) is [String: Any])
  }
}

/// Control characters a request supplied (a provider's event name, a path) cannot forge a line.
@Suite struct LogLineEscapingTests {
  static let event = LogEvent(
    level: .warning, message: "webhook refused: unknown event X\r\nforged notice line\u{1b}[2J",
    metadata: nil, source: "InletHTTP", file: #fileID, function: #function, line: #line)
  static let metadata: Logger.Metadata = ["reason": "a\nb", "path": "tab\there"]

  @Test func textAndJournalLinesStayOneLine() throws {
    let text = try #require(
      TextLogHandler(label: "inlet").line(for: Self.event, metadata: Self.metadata))
    let journal = try #require(
      JournalLogHandler(label: "inlet").line(for: Self.event, metadata: Self.metadata))
    for line in [text, journal] {
      #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1b}"), "\(line)")
      #expect(line.contains(#"X\r\nforged notice line\u{1b}[2J"#), "\(line)")
      #expect(line.contains(#"reason=a\nb"#) && line.contains("path=tab\there"), "\(line)")
    }
    #expect(LogMetadata.escapingControls("plain line") == "plain line")
  }
}
