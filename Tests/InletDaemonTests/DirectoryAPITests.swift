import Foundation
import NIOHTTP1
import Testing

/// The directory API and `inlet directory import` through the real daemon: scopes, errors,
/// idempotency, and inquiries matched on arrival and again when the directory changes.
@Suite("Directory API", .serialized)
struct DirectoryAPITests {
  static let fixtures = DaemonHarness.repositoryRoot.appendingPathComponent(
    "Tests/Fixtures/directory")

  private func send(
    _ daemon: DaemonHarness, _ method: HTTPMethod, _ path: String, _ body: String? = nil,
    token: String? = nil, contentType: String = "application/json"
  ) async throws -> DaemonHarness.Reply {
    let headers = [
      ("Content-Type", contentType), ("Authorization", "Bearer \(token ?? daemon.writeToken)"),
    ]
    return try await daemon.request(
      method, path, headers: headers, body: body.map { Array($0.utf8) })
  }

  private func inquiry(_ daemon: DaemonHarness, _ id: String) async throws -> [String: Any] {
    let (status, body) = try await daemon.get("/api/v1/inquiries/\(id)", token: daemon.readToken)
    #expect(status == 200)
    return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
  }

  private func match(_ daemon: DaemonHarness, _ id: String) async throws -> [String: Any] {
    try #require(try await inquiry(daemon, id)["match"] as? [String: Any])
  }

  @Test("PUT, GET and DELETE a record: normalised, idempotent, read-write scope")
  func recordLifecycle() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let client =
      #"{"name":"ООО Ромашка","inn":"7707 083893","domains":["Romashka.RU"],"phones":["8 (495) 111-22-33"]}"#
    let first = try await send(daemon, .PUT, "/api/v1/directory/clients/c1", client)
    #expect(first.status == 200, "\(first.body)")
    let record = try #require(first.json["record"] as? [String: Any])
    #expect(record["id"] as? String == "c1")
    #expect(record["inn"] as? String == "7707083893")
    #expect(record["inn_valid"] as? Bool == true)
    #expect(record["domains"] as? [String] == ["romashka.ru"])
    #expect(record["phones"] as? [String] == ["+74951112233"])
    // A null id is an id left out; a value that does not normalise keeps no line break (lists
    // are stored a value per line: it came back as two values).
    let odd = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c9", #"{"id":null,"phones":["доб.\n12"]}"#)
    #expect(odd.status == 200, "\(odd.body)")
    #expect((odd.json["record"] as? [String: Any])?["phones"] as? [String] == ["доб. 12"])
    let (_, stored) = try await daemon.get("/api/v1/directory/clients/c9", token: daemon.readToken)
    #expect(stored.contains(#""phones":["доб. 12"]"#), "\(stored)")
    let second = try await send(daemon, .PUT, "/api/v1/directory/clients/c1", client)
    #expect(second.status == 200)
    #expect(second.json["record"] as? NSDictionary == first.json["record"] as? NSDictionary)

    let (status, body) = try await daemon.get(
      "/api/v1/directory/clients/c1", token: daemon.readToken)
    #expect(status == 200)
    #expect(body.contains("\"romashka.ru\""))

    let readOnly = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c2", client, token: daemon.readToken)
    #expect(readOnly.status == 403)
    #expect(readOnly.errorCode == "insufficient_scope")
    let anonymous = try await daemon.request(
      .PUT, "/api/v1/directory/clients/c2", headers: [("Content-Type", "application/json")],
      body: Array(client.utf8))
    #expect(anonymous.status == 401)
    #expect(anonymous.errorCode == "unauthorized")

    let deleted = try await send(daemon, .DELETE, "/api/v1/directory/clients/c1")
    #expect(deleted.status == 200)
    #expect((deleted.json["deleted"] as? [String: Int])?["clients"] == 1)
    let again = try await send(daemon, .DELETE, "/api/v1/directory/clients/c1")
    #expect(again.status == 200)
    #expect((again.json["deleted"] as? [String: Int])?["clients"] == 0)
    let (gone, goneBody) = try await daemon.get(
      "/api/v1/directory/clients/c1", token: daemon.readToken)
    #expect(gone == 404)
    #expect(goneBody.contains("not_found"))
  }

  @Test("an id in the path is percent-decoded: the same record the batch writes")
  func percentEncodedID() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let batch = try await send(
      daemon, .POST, "/api/v1/directory/batch", #"{"clients":[{"id":"ЦБ 17/2","name":"Ромашка"}]}"#)
    #expect(batch.status == 200, "\(batch.body)")
    let path = "/api/v1/directory/clients/%D0%A6%D0%91%2017%2F2"
    let (status, body) = try await daemon.get(path, token: daemon.readToken)
    #expect(status == 200, "\(body)")
    #expect(body.contains("Ромашка"))
    let put = try await send(daemon, .PUT, path, #"{"id":"ЦБ 17/2","name":"Лютик"}"#)
    #expect(put.status == 200, "\(put.body)")
    #expect((put.json["record"] as? [String: Any])?["id"] as? String == "ЦБ 17/2")
    let deleted = try await send(daemon, .DELETE, path)
    #expect((deleted.json["deleted"] as? [String: Int])?["clients"] == 1)
  }

  @Test("malformed writes are refused with JSON errors and change nothing")
  func errors() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let cases: [(HTTPMethod, String, String, String, Int, String)] = [
      (.PUT, "/api/v1/directory/partners/x", "{}", "application/json", 404, "not_found"),
      (.PUT, "/api/v1/directory/clients/c1", "{oops", "application/json", 400, "malformed_body"),
      (
        .PUT, "/api/v1/directory/clients/c1", #"{"id":"c2"}"#, "application/json", 400,
        "id_mismatch"
      ),
      (
        .PUT, "/api/v1/directory/interests/i1", #"{"status":"paused"}"#, "application/json", 400,
        "malformed_body"
      ),
      (
        .PUT, "/api/v1/directory/clients/c1", "name=x", "application/x-www-form-urlencoded", 415,
        "unsupported_media_type"
      ),
      (
        .POST, "/api/v1/directory/batch", #"{"contacs":[]}"#, "application/json", 400,
        "malformed_body"
      ),
      (
        .POST, "/api/v1/directory/batch", #"{"clients":[{"id":""}]}"#, "application/json", 400,
        "missing_fields"
      ),
      // Blank as the directory reads ids: stored, it could never be addressed again.
      (
        .POST, "/api/v1/directory/batch", #"{"clients":[{"id":"\n","name":"x"}]}"#,
        "application/json", 400, "missing_fields"
      ),
    ]
    for (method, path, body, type, status, code) in cases {
      let reply = try await send(daemon, method, path, body, contentType: type)
      #expect(reply.status == status, "\(path) \(body): \(reply.body)")
      #expect(reply.errorCode == code, "\(path) \(body)")
    }
    // A known field written another way would be dropped without a word: refused, named.
    let misspelt = try await send(
      daemon, .PUT, "/api/v1/directory/contacts/p1",
      #"{"clientId":"C-17","email":"ivan@romashka.ru","manager":"Петров"}"#)
    #expect(misspelt.status == 400, "\(misspelt.body)")
    #expect(misspelt.errorCode == "malformed_body")
    #expect(misspelt.body.contains("did you mean `client_id`"), "\(misspelt.body)")
    let singular = try await send(
      daemon, .POST, "/api/v1/directory/batch", #"{"clients":[{"id":"c5","Phone":"+79161234567"}]}"#
    )
    #expect(singular.status == 400, "\(singular.body)")
    #expect(singular.body.contains("did you mean `phones`"), "\(singular.body)")
    // A field of the CRM's own, nothing like a known one, is ignored as documented.
    let own = try await send(
      daemon, .PUT, "/api/v1/directory/contacts/p2", #"{"client_id":"c1","manager":"Петров"}"#)
    #expect(own.status == 200 || own.status == 201, "\(own.body)")
    let (status, _) = try await daemon.get("/api/v1/directory/clients/c1", token: daemon.readToken)
    #expect(status == 404)
    // The body's id compares trimmed, as the batch stores it.
    let padded = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c1", #"{"id":" c1 ","name":"ООО Ромашка"}"#)
    #expect(padded.status == 200 || padded.status == 201, "\(padded.body)")
  }

  @Test("a lead is matched on arrival and again when the CRM syncs the directory")
  func matchingThroughTheAPI() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let batch = """
      {"clients":[{"id":"c1","name":"ООО Ромашка","inn":"7707083893","domains":["romashka.ru"]}],
       "contacts":[{"id":"p1","client_id":"c1","name":"Иван Петров","emails":["ivan@romashka.ru"]}],
       "interests":[{"id":"i1","client_id":"c1","status":"open","updated_at":"2026-11-01T10:00:00Z"},
                    {"id":"i0","client_id":"c1","status":"closed"}]}
      """
    let applied = try await send(daemon, .POST, "/api/v1/directory/batch", batch)
    #expect(applied.status == 200, "\(applied.body)")
    #expect(
      applied.json["upserted"] as? [String: Int] == ["clients": 1, "contacts": 1, "interests": 2])

    let known = try await daemon.postLead(
      #"{"name":"Иван","email":"Ivan@Romashka.ru","message":"Счёт"}"#)
    #expect(known.status == 201)
    let knownID = try #require(known.json["id"] as? String)
    let knownMatch = try await match(daemon, knownID)
    #expect(knownMatch["client_id"] as? String == "c1")
    #expect(knownMatch["contact_id"] as? String == "p1")
    #expect(knownMatch["interest_ids"] as? [String] == ["i1"])
    #expect(knownMatch["by"] as? [String] == ["email", "domain"])
    #expect(knownMatch["suggested_action"] as? String == "interaction_on_interest")
    #expect(try await inquiry(daemon, knownID)["returning"] as? Bool == true)

    let stranger = try await daemon.postLead(
      #"{"name":"Мария","email":"maria@lutik.ru","инн":"5001007329","message":"Цена?"}"#)
    let strangerID = try #require(stranger.json["id"] as? String)
    var strangerMatch = try await match(daemon, strangerID)
    #expect(strangerMatch["suggested_action"] as? String == "new_client")
    #expect(strangerMatch["potential_client"] as? Bool == true)

    // The CRM creates the client: the still-new inquiry is matched again by its INN.
    let put = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c2", #"{"name":"ООО Лютик","inn":"5001007329"}"#)
    #expect(put.json["rematched"] as? Int == 1)
    strangerMatch = try await match(daemon, strangerID)
    #expect(strangerMatch["client_id"] as? String == "c2")
    #expect(strangerMatch["by"] as? [String] == ["inn"])
    #expect(strangerMatch["suggested_action"] as? String == "new_contact_of_client")
    #expect(strangerMatch["potential_client"] as? Bool == false)

    // Closing the open interest through a batch (sent twice: idempotent) changes the first one.
    let close = """
      {"interests":[{"id":"i1","client_id":"c1","status":"closed"}],"deleted":{"contacts":["p1"]}}
      """
    let closed = try await send(daemon, .POST, "/api/v1/directory/batch", close)
    #expect(closed.json["rematched"] as? Int == 1)
    let repeated = try await send(daemon, .POST, "/api/v1/directory/batch", close)
    #expect(repeated.status == 200)
    #expect(repeated.json["rematched"] as? Int == 0)
    let after = try await match(daemon, knownID)
    #expect(after["contact_id"] == nil)
    #expect(after["interest_ids"] as? [String] == [])
    #expect(after["suggested_action"] as? String == "new_contact_of_client")

    // Interests sent without `updated_at`: the same PUT again changes nothing — not the order
    // of the client's open interests (newest first), not the inquiries they are suggested for.
    _ = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c3",
      #"{"name":"ООО Астра","emails":["zakaz@astra.ru"]}"#)
    for id in ["j1", "j2"] {
      let put = try await send(
        daemon, .PUT, "/api/v1/directory/interests/\(id)",
        #"{"client_id":"c3","title":"Поставка \#(id)","status":"open"}"#)
      #expect(put.status == 200 || put.status == 201, "\(put.body)")
      try await Task.sleep(for: .milliseconds(20))
    }
    let astra = try await daemon.postLead(#"{"email":"zakaz@astra.ru","message":"Счёт"}"#)
    let astraID = try #require(astra.json["id"] as? String)
    #expect(try await match(daemon, astraID)["interest_ids"] as? [String] == ["j2", "j1"])
    let again = try await send(
      daemon, .PUT, "/api/v1/directory/interests/j1",
      #"{"client_id":"c3","title":"Поставка j1","status":"open"}"#)
    #expect(again.json["rematched"] as? Int == 0, "\(again.body)")
    #expect(try await match(daemon, astraID)["interest_ids"] as? [String] == ["j2", "j1"])
    // A changed interest is the newest again.
    let renamed = try await send(
      daemon, .PUT, "/api/v1/directory/interests/j1",
      #"{"client_id":"c3","title":"Поставка j1, 2 этап","status":"open"}"#)
    #expect(renamed.json["rematched"] as? Int == 1, "\(renamed.body)")
    #expect(try await match(daemon, astraID)["interest_ids"] as? [String] == ["j1", "j2"])

    // A private buyer: the client's own address is the sender's, whom the CRM already has.
    let buyer = try await daemon.postLead(#"{"email":"petrov.home@mail.ru","message":"Диван"}"#)
    let buyerID = try #require(buyer.json["id"] as? String)
    #expect(try await match(daemon, buyerID)["suggested_action"] as? String == "new_client")
    let person = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c4",
      #"{"name":"Петров Пётр","emails":["petrov.home@mail.ru"],"person":true}"#)
    #expect(person.json["rematched"] as? Int == 1, "\(person.body)")
    var buyerMatch = try await match(daemon, buyerID)
    #expect(buyerMatch["client_id"] as? String == "c4")
    #expect(buyerMatch["suggested_action"] as? String == "existing_contact")
    let (_, stored) = try await daemon.get(
      "/api/v1/directory/clients/c4", token: daemon.readToken)
    let card = try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any]
    #expect(card?["person"] as? Bool == true, "\(stored)")
    // The same card as an organisation: its general address is someone new at it.
    let organisation = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c4",
      #"{"name":"Петров Пётр","emails":["petrov.home@mail.ru"]}"#)
    #expect(organisation.json["rematched"] as? Int == 1, "\(organisation.body)")
    buyerMatch = try await match(daemon, buyerID)
    #expect(buyerMatch["suggested_action"] as? String == "new_contact_of_client")
  }

  @Test("inlet directory import: windows-1251 `;` with a column map, malformed rows by line")
  func cliImport() async throws {
    let daemon = try DaemonHarness(
      extraConfig: "matching:\n  free_mail_domains: [gazprom.ru]\n  max_matches: 5")
    defer { daemon.remove() }
    try await daemon.start()
    let lead = try await daemon.postLead(#"{"name":"Пётр","email":"petr@romashka.ru"}"#)
    let leadID = try #require(lead.json["id"] as? String)
    let file = Self.fixtures.appendingPathComponent("clients-1251.csv").path
    let result = try daemon.cli([
      "directory", "import", "--kind", "clients", "--map", "Наименование=name", "--map", "ИНН=inn",
      file,
    ])
    #expect(result.status == 1, "\(result.error)")
    #expect(
      result.error.contains("clients-1251.csv:4: expected 7 fields, found 3"), "\(result.error)")
    #expect(result.error.contains("clients-1251.csv:6: text after a closing quote"))
    #expect(result.output.contains("imported 4 clients"), "\(result.output)")
    #expect(result.output.contains("windows-1251"))
    #expect(result.output.contains("1 new inquiries matched again"))
    // The daemon (running all along) serves the imported directory and the new match.
    let leadMatch = try await match(daemon, leadID)
    #expect(leadMatch["client_id"] as? String == "c1")
    #expect(leadMatch["by"] as? [String] == ["domain"])
    let (status, body) = try await daemon.get(
      "/api/v1/directory/clients/c2", token: daemon.readToken)
    #expect(status == 200)
    #expect(body.contains(#""name":"ООО \"Лютик\"; филиал""#))
    // gazprom.ru is configured as free mail here, so c4's domain never matches.
    let gazprom = try await daemon.postLead(#"{"name":"Олег","email":"oleg@gazprom.ru"}"#)
    let gazpromMatch = try await match(daemon, try #require(gazprom.json["id"] as? String))
    #expect(gazpromMatch["suggested_action"] as? String == "new_client")

    let contacts = try daemon.cli([
      "directory", "import", "--kind", "contacts",
      Self.fixtures.appendingPathComponent("contacts.csv").path,
    ])
    #expect(contacts.status == 1)
    #expect(contacts.error.contains("contacts.csv:4: the id is empty"))
    #expect(contacts.output.contains("imported 2 contacts"))
    let interests = try daemon.cli([
      "directory", "import", "--kind", "interests",
      Self.fixtures.appendingPathComponent("interests.jsonl").path,
    ])
    #expect(interests.error.contains("interests.jsonl:4:"))
    #expect(interests.output.contains("imported 3 interests"))
    let finalMatch = try await match(daemon, leadID)
    #expect(finalMatch["interest_ids"] as? [String] == ["i1"])
    #expect(finalMatch["suggested_action"] as? String == "interaction_on_interest")

    let bad = try daemon.cli(["directory", "import", "--kind", "partners", file])
    #expect(bad.status != 0)
  }

  @Test(
    "inlet directory import --replace-all: a full export removes what the CRM deleted; never after a malformed row or from an empty file"
  )
  func cliImportReplaceAll() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let folder = URL(fileURLWithPath: daemon.configPath).deletingLastPathComponent()
    func export(_ name: String, _ rows: [String]) throws -> String {
      let path = folder.appendingPathComponent(name).path
      try (["id,name,domains"] + rows).joined(separator: "\n").write(
        toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    func importing(_ path: String) throws -> (status: Int32, output: String, error: String) {
      try daemon.cli(["directory", "import", "--kind", "clients", "--replace-all", path])
    }
    func exists(_ id: String) async throws -> Bool {
      try await daemon.get("/api/v1/directory/clients/\(id)", token: daemon.readToken).0 == 200
    }
    let first = try importing(
      try export("all.csv", ["c1,Ромашка,romashka.ru", "c2,Лютик,lutik.ru", "c3,Василёк,"]))
    #expect(first.status == 0, "\(first.output)\(first.error)")
    #expect(first.output.contains("0 clients not in the file removed"), "\(first.output)")
    let lead = try await daemon.postLead(#"{"name":"Пётр","email":"petr@lutik.ru"}"#)
    let leadID = try #require(lead.json["id"] as? String)
    #expect(try await match(daemon, leadID)["client_id"] as? String == "c2")

    // c2 was merged away in the CRM: tonight's export no longer lists it.
    let second = try importing(try export("night.csv", ["c1,Ромашка,romashka.ru", "c3,Василёк,"]))
    #expect(second.status == 0, "\(second.output)\(second.error)")
    #expect(second.output.contains("1 clients not in the file removed"), "\(second.output)")
    #expect(try await !exists("c2"))
    #expect(try await exists("c1"))
    #expect(try await match(daemon, leadID)["client_id"] == nil)

    // A client the CRM wrote after the export was taken is newer than the file: it stays.
    let exportedBefore = try export("before.csv", ["c1,Ромашка,romashka.ru", "c3,Василёк,"])
    let put = try await send(
      daemon, .PUT, "/api/v1/directory/clients/c4", #"{"name":"Одуванчик","domains":["oduvan.ru"]}"#
    )
    #expect(put.status == 200, "\(put.body)")
    let third = try importing(exportedBefore)
    #expect(third.status == 0, "\(third.output)\(third.error)")
    #expect(
      third.output.contains("0 clients not in the file removed (1 written since the export kept)"),
      "\(third.output)")
    #expect(try await exists("c4"))
    // Said when the export was taken: what was written before it and is not listed goes.
    let now = ISO8601DateFormatter()
    now.formatOptions.insert(.withFractionalSeconds)
    let stamped = try daemon.cli([
      "directory", "import", "--kind", "clients", "--replace-all", "--exported-at",
      now.string(from: Date()), exportedBefore,
    ])
    #expect(stamped.output.contains("1 clients not in the file removed"), "\(stamped.output)")
    #expect(try await !exists("c4"))
    let future = try daemon.cli([
      "directory", "import", "--kind", "clients", "--replace-all", "--exported-at",
      "2999-01-01T00:00:00Z", exportedBefore,
    ])
    #expect(future.status != 0)
    #expect(future.error.contains("in the future"), "\(future.error)")

    // A malformed row might be a client still in the CRM; an empty export is no export.
    let broken = try importing(try export("broken.csv", ["c1,Ромашка,romashka.ru", "c3,\"x"]))
    #expect(broken.status == 1)
    #expect(broken.output.contains("nothing removed (--replace-all)"), "\(broken.output)")
    #expect(try await exists("c3"))
    let empty = try importing(try export("empty.csv", []))
    #expect(empty.output.contains("nothing removed (--replace-all): the file lists no clients"))
    #expect(try await exists("c1"))
  }

  @Test("restarted with another `matching:`, the daemon matches its queue again; once")
  func rematchAtStartAfterRulesChanged() async throws {
    let daemon = try DaemonHarness(extraConfig: "matching:\n  free_mail_domains: [romashka.ru]")
    defer { daemon.remove() }
    try await daemon.start()
    let put = try await daemon.request(
      .PUT, "/api/v1/directory/clients/c1",
      headers: [
        ("Authorization", "Bearer \(daemon.writeToken)"), ("Content-Type", "application/json"),
      ],
      body: Array(#"{"name":"ООО Ромашка","domains":["romashka.ru"]}"#.utf8))
    #expect(put.status == 200, "\(put.body)")
    let lead = try await daemon.postLead(#"{"name":"Пётр","email":"petr@romashka.ru"}"#)
    let leadID = try #require(lead.json["id"] as? String)
    // romashka.ru is configured as free mail: its domain says nothing.
    #expect(try await match(daemon, leadID)["suggested_action"] as? String == "new_client")
    #expect(daemon.stop() == 0)

    // The administrator corrects the list; the queued lead is c1's at the next start.
    let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
    try config.replacingOccurrences(of: "[romashka.ru]", with: "[mail.ru]")
      .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()
    // Matched in the background, beside the listener that is already up.
    var leadMatch = try await match(daemon, leadID)
    let deadline = ContinuousClock.now + .seconds(20)
    while leadMatch["client_id"] == nil && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(100))
      leadMatch = try await match(daemon, leadID)
    }
    #expect(leadMatch["client_id"] as? String == "c1")
    #expect(leadMatch["by"] as? [String] == ["domain"])
    while !daemon.log().contains("the queue was matched again") && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(daemon.log().contains("the queue was matched again"), "\(daemon.log())")
    let (status, body) = try await daemon.get("/api/v1/events?after=0", token: daemon.readToken)
    #expect(status == 200)
    #expect(body.components(separatedBy: "inquiry.updated").count - 1 == 1, "\(body)")

    // The same rules at the next start: nothing is matched again.
    #expect(daemon.stop() == 0)
    try await daemon.start()
    try await Task.sleep(for: .seconds(1))
    #expect(daemon.log().components(separatedBy: "the queue was matched again").count - 1 == 1)
  }

  @Test("`matching:` is checked strictly")
  func strictConfig() throws {
    let daemon = try DaemonHarness(extraConfig: "matching:\n  max_match: 3")
    defer { daemon.remove() }
    let result = try daemon.cli(["check-config"])
    #expect(result.status == 1)
    #expect((result.output + result.error).contains("matching"), "\(result.error)")
    #expect((result.output + result.error).contains("max_match"))
  }
}
