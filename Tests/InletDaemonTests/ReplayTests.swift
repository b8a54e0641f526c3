import Foundation
import GRDB
import Testing

@Suite("inlet replay", .serialized)
struct ReplayTests {
  @Test("a quarantined webhook becomes an inquiry once the definition knows its fields, once")
  func replayAfterDefinitionFix() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    // The daemon reads definitions from a folder of the test's own, so the test can fix one.
    let channels = daemon.folder.appendingPathComponent("channels")
    try FileManager.default.createDirectory(at: channels, withIntermediateDirectories: true)
    let generic = DaemonHarness.repositoryRoot.appendingPathComponent("channels/generic.yaml")
    let definition = channels.appendingPathComponent("generic.yaml")
    try FileManager.default.copyItem(at: generic, to: definition)
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(
      of: DaemonHarness.repositoryRoot.appendingPathComponent("channels").path,
      with: channels.path)
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()

    let odd = #"{"client_mail":"petr@romashka.ru","zapros":"Нужен счёт на 10 стульев"}"#
    let first = try await daemon.postLead(odd)
    #expect(first.status == 400)
    #expect(first.errorCode == "missing_fields")
    #expect(try await daemon.postLead(#"{"email":"ok@example.ru"}"#).status == 201)
    daemon.stop()

    // Nothing to do yet: the definition still cannot read the item.
    let early = try daemon.cli(["replay"])
    #expect(early.status == 0, "\(early.error)")
    #expect(early.output.contains("1 quarantined") || early.output.contains("1 unchanged"))

    var text = try String(contentsOf: definition, encoding: .utf8)
    text = text.replacingOccurrences(
      of: "sender.email: [email,", with: "sender.email: [client_mail, email,")
    text = text.replacingOccurrences(of: "text: [message,", with: "text: [zapros, message,")
    try text.write(to: definition, atomically: true, encoding: .utf8)

    let fixed = try daemon.cli(["replay"])
    #expect(fixed.status == 0, "\(fixed.error)")
    #expect(fixed.output.contains("replayed 1 raw items: 1 created"), "\(fixed.output)")
    let list = try daemon.cli(["inquiries", "list", "--json"])
    #expect(list.output.contains("petr@romashka.ru"), "\(list.output)")
    #expect(list.output.contains("Нужен счёт на 10 стульев"))
    #expect(
      try daemon.cli(["inquiries", "list", "--status", "quarantined"]).output
        .contains("petr@romashka.ru") == false)

    // Idempotent: again, and with --all, nothing changes.
    let again = try daemon.cli(["replay"])
    #expect(again.output.contains("replayed 0 raw items"), "\(again.output)")
    let everything = try daemon.cli(["replay", "--all"])
    #expect(everything.output.contains("replayed 2 raw items: 2 unchanged"), "\(everything.output)")
    let after = try daemon.cli(["inquiries", "list", "--json"])
    #expect(after.output.components(separatedBy: "\"id\"").count == 3, "\(after.output)")
  }

  @Test("one item that cannot be stored does not stop the others; the run exits non-zero")
  func failingItemDoesNotStopTheRun() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    #expect(try await daemon.postLead(#"{"email":"first@example.ru"}"#).status == 201)
    #expect(try await daemon.postLead(#"{"email":"second@example.ru"}"#).status == 201)
    daemon.stop()
    // The first inquiry's document no longer reads (a hand edit, a bug of another version).
    let queue = try DatabaseQueue(path: daemon.databasePath)
    try await queue.write { db in
      try db.execute(sql: "UPDATE inquiries SET document = 'not json' WHERE id = 1")
    }
    try queue.close()
    let run = try daemon.cli(["replay", "--all"])
    #expect(run.status != 0)
    #expect(run.output.contains("1 unchanged, 1 failed"), "\(run.output) \(run.error)")
    #expect(run.error.contains("raw item 1:"), "\(run.error)")
  }

  @Test("a request refused over the rate limit, then retried, stays one inquiry after replay --all")
  func rateLimitedThenRetried() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    config = config.replacingOccurrences(
      of: "token_file: site-token",
      with: "token_file: site-token\n    options: { rate_limit: 1/5s }")
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()
    let lead = #"{"email":"retry@example.ru","message":"Перезвоните"}"#
    #expect(try await daemon.postLead(#"{"email":"first@example.ru"}"#, key: "k1").status == 201)
    // Over the limit: 429, kept raw as ignored without its key, so that the retry is taken.
    #expect(try await daemon.postLead(lead, key: "k2").status == 429)
    // The next window: wide enough that the two refusals below still fall in it on a loaded
    // machine (with 2 s, a slow commit let the first of them into a window of its own).
    try await Task.sleep(for: .milliseconds(5_500))
    #expect(try await daemon.postLead(lead, key: "k2").status == 201)
    // Refused twice in one window, never retried: replayed, it is one inquiry, not two.
    let gaveUp = #"{"email":"gave-up@example.ru","message":"Не дождался"}"#
    #expect(try await daemon.postLead(gaveUp, key: "k3").status == 429)
    #expect(try await daemon.postLead(gaveUp, key: "k3").status == 429)
    daemon.stop()

    let replay = try daemon.cli(["replay", "--all"])
    #expect(replay.status == 0, "\(replay.error)")
    #expect(replay.output.contains("1 created"), "\(replay.output)")
    #expect(replay.output.contains("2 duplicate"), "\(replay.output)")
    let list = try daemon.cli(["inquiries", "list", "--json"])
    #expect(list.output.components(separatedBy: "retry@example.ru").count == 2, "\(list.output)")
    #expect(list.output.components(separatedBy: "gave-up@example.ru").count == 2, "\(list.output)")
    // Idempotent.
    let again = try daemon.cli(["replay", "--all"])
    #expect(again.output.contains("2 duplicate"), "\(again.output)")
    #expect(!again.output.contains("created"), "\(again.output)")
  }
}
