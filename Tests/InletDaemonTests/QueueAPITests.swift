import Foundation
import NIOHTTP1
import Testing

/// The CRM's queue API on the real daemon: listing with cursors, filters, scopes, transitions
/// and stored bytes.
@Suite("Queue API", .serialized, .timeLimit(.minutes(3)))
struct QueueAPITests {
  @Test("pages follow queue order and lose or repeat nothing while another client inserts")
  func paginationWhileInserting() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    var created: [String] = []
    for n in 0..<20 { created.append(try await daemon.submitLead(n)) }

    // Page through with a small limit while 40 more leads arrive concurrently.
    async let inserted: [String] = {
      var ids: [String] = []
      for n in 20..<60 { ids.append(try await daemon.submitLead(n)) }
      return ids
    }()
    var seen: [String] = []
    var after: String?
    var resume: String?
    var pages = 0
    repeat {
      var path = "/inquiries?limit=3"
      if let after { path += "&after=\(after)" }
      let reply = try await daemon.api(.GET, path, token: daemon.readToken)
      #expect(reply.status == 200, "\(reply.body)")
      let items = try #require(reply.json["items"] as? [[String: Any]])
      seen += items.compactMap { $0["id"] as? String }
      after = reply.json["next"] as? String
      resume = reply.json["resume"] as? String
      pages += 1
      try await Task.sleep(for: .milliseconds(20))
    } while after != nil
    let more = try await inserted
    created += more

    #expect(pages > 5)
    #expect(Set(seen).count == seen.count, "no inquiry appears twice")
    let numbers = seen.compactMap(Int.init)
    #expect(numbers == numbers.sorted(), "queue order is oldest first")
    #expect(Array(created.prefix(seen.count)) == seen, "what was seen is a prefix of the queue")

    // Continuing from the last full page's cursor picks up exactly the rest.
    let everything = try await daemon.allPages("").compactMap { $0["id"] as? String }
    #expect(everything == created)

    // The last page's `resume` (its `next` is null) gives exactly what came after it, later.
    let position = try #require(resume)
    let later = [try await daemon.submitLead(60), try await daemon.submitLead(61)]
    let since = try await daemon.api(
      .GET, "/inquiries?limit=500&after=\(position)", token: daemon.readToken)
    let rest = (since.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    #expect(rest == Array(created.dropFirst(seen.count)) + later)
    #expect(since.json["resume"] as? String != position)
  }

  @Test("filters by status, channel, kind and since; bad parameters are 400")
  func filters() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let first = try await daemon.submitLead(1)
    let cut = Date()
    try await Task.sleep(for: .milliseconds(1100))
    let second = try await daemon.submitLead(2)
    _ = try await daemon.api(.POST, "/inquiries/\(first)/reject", json: #"{"reason":"spam"}"#)
    let quarantined = try await daemon.postLead("{}")
    #expect(quarantined.status == 400)

    func ids(_ query: String) async throws -> [String] {
      try await daemon.allPages(query).compactMap { $0["id"] as? String }
    }
    #expect(try await ids("") == [second], "the default is the `new` queue")
    #expect(try await ids("status=rejected") == [first])
    #expect(try await ids("status=all").count == 3, "inquiries and the quarantined raw item")
    #expect(try await ids("status=quarantined").first?.hasPrefix("r") == true)
    // A listing of raw entries reads their rows without the bodies; the entry is whole.
    let listed = try await daemon.api(
      .GET, "/inquiries?status=quarantined", token: daemon.readToken)
    let entry = try #require((listed.json["items"] as? [[String: Any]])?.first)
    #expect(entry["reason"] as? String != nil, "\(entry)")
    #expect((entry["source"] as? [String: Any])?["raw_id"] as? String != nil)
    #expect(try await ids("status=all&kind=form") == [first, second])
    #expect(try await ids("status=all&channel=nowhere").isEmpty)
    let since = ISO8601DateFormatter().string(from: cut.addingTimeInterval(1))
    let recent = try await ids("status=all&kind=form&since=\(since)")
    #expect(recent == [second], "\(since)")

    for (query, code) in [
      ("status=maybe", "invalid_query"), ("kind=fax", "invalid_query"),
      ("since=yesterday", "invalid_query"), ("limit=0", "invalid_query"),
      ("limit=501", "invalid_query"), ("after=garbage", "invalid_cursor"),
    ] {
      let reply = try await daemon.api(.GET, "/inquiries?\(query)", token: daemon.readToken)
      #expect(reply.status == 400, "\(query)")
      #expect(reply.errorCode == code, "\(query): \(reply.body)")
    }
  }

  @Test("tokens: none or wrong is 401, a read token cannot write (403), both can read")
  func scopes() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let id = try await daemon.submitLead(1)
    for headers in [[], [("Authorization", "Bearer wrong")], [("Authorization", "Basic abc")]] {
      let reply = try await daemon.request(.GET, "/api/v1/inquiries", headers: headers)
      #expect(reply.status == 401)
      #expect(reply.errorCode == "unauthorized")
    }
    #expect(try await daemon.api(.GET, "/inquiries", token: daemon.readToken).status == 200)
    #expect(try await daemon.api(.GET, "/inquiries", token: daemon.writeToken).status == 200)
    let forbidden = try await daemon.api(
      .POST, "/inquiries/\(id)/accept", token: daemon.readToken, json: #"{"action":"new_client"}"#)
    #expect(forbidden.status == 403)
    #expect(forbidden.errorCode == "insufficient_scope")
    let retry = try await daemon.api(.POST, "/deliveries/1/retry", token: daemon.readToken)
    #expect(retry.status == 403)
    let unchanged = try await daemon.api(.GET, "/inquiries/\(id)", token: daemon.readToken)
    #expect(unchanged.json["status"] as? String == "new")
  }

  @Test("accept, reject and merge: statuses, acceptance records, idempotency and 409s")
  func transitions() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let a = try await daemon.submitLead(1)
    let b = try await daemon.submitLead(2)
    let c = try await daemon.submitLead(3)
    let d = try await daemon.submitLead(4)

    let acceptBody =
      #"{"action":"existing_contact","client_id":"C-1","contact_id":"P-7","comment":"звонил"}"#
    let accepted = try await daemon.api(.POST, "/inquiries/\(a)/accept", json: acceptBody)
    #expect(accepted.status == 200, "\(accepted.body)")
    #expect(accepted.json["status"] as? String == "accepted")
    let acceptance = try #require(accepted.json["acceptance"] as? [String: Any])
    #expect(acceptance["action"] as? String == "existing_contact")
    #expect(acceptance["by"] as? String == "crm")
    #expect(acceptance["client_id"] as? String == "C-1")
    #expect(acceptance["contact_id"] as? String == "P-7")
    #expect(acceptance["comment"] as? String == "звонил")
    let at = try #require(acceptance["at"] as? String)
    #expect(at.hasSuffix("Z"))

    // The same accept again: 200, nothing changes (same `at`).
    let again = try await daemon.api(.POST, "/inquiries/\(a)/accept", json: acceptBody)
    #expect(again.status == 200)
    #expect((again.json["acceptance"] as? [String: Any])?["at"] as? String == at)
    // A different accept, a reject or a merge of an accepted inquiry: 409.
    let different = try await daemon.api(
      .POST, "/inquiries/\(a)/accept", json: #"{"action":"new_client"}"#)
    #expect(different.status == 409)
    #expect(different.errorCode == "invalid_transition")
    #expect(
      try await daemon.api(.POST, "/inquiries/\(a)/reject", json: #"{"reason":"spam"}"#).status
        == 409)

    // Reject, repeat, then accepting the rejected one is 409.
    let rejected = try await daemon.api(
      .POST, "/inquiries/\(b)/reject", json: #"{"reason":"not_a_lead","comment":"реклама"}"#)
    #expect(rejected.status == 200)
    #expect(rejected.json["status"] as? String == "rejected")
    #expect((rejected.json["acceptance"] as? [String: Any])?["reason"] as? String == "not_a_lead")
    #expect(
      try await daemon.api(.POST, "/inquiries/\(b)/reject", json: #"{"reason":"not_a_lead"}"#)
        .status == 200)
    let acceptRejected = try await daemon.api(
      .POST, "/inquiries/\(b)/accept", json: #"{"action":"new_client"}"#)
    #expect(acceptRejected.status == 409)
    #expect(acceptRejected.errorCode == "invalid_transition")

    // Merge c into d; into itself, into a merged one or an unknown one are errors.
    let selfMerge = try await daemon.api(.POST, "/inquiries/\(d)/merge", json: #"{"into":"\#(d)"}"#)
    #expect(selfMerge.status == 409)
    let unknownTarget = try await daemon.api(
      .POST, "/inquiries/\(c)/merge", json: #"{"into":"99999"}"#)
    #expect(unknownTarget.status == 404)
    #expect(unknownTarget.errorCode == "merge_target_not_found")
    // `00<id>` names the same inquiry; the decision records the id as the API writes it, so
    // the retry with the plain id is the same decision.
    let merged = try await daemon.api(
      .POST, "/inquiries/\(c)/merge", json: #"{"into":"00\#(d)"}"#)
    #expect(merged.status == 200, "\(merged.body)")
    #expect(merged.json["status"] as? String == "merged")
    #expect((merged.json["acceptance"] as? [String: Any])?["into"] as? String == d)
    #expect(
      try await daemon.api(.POST, "/inquiries/\(c)/merge", json: #"{"into":"\#(d)"}"#).status
        == 200)
    let intoMerged = try await daemon.api(
      .POST, "/inquiries/\(d)/merge", json: #"{"into":"\#(c)"}"#)
    #expect(intoMerged.status == 409)

    // Unknown inquiries are 404.
    let missing = try await daemon.api(
      .POST, "/inquiries/424242/accept", json: #"{"action":"new_client"}"#)
    #expect(missing.status == 404)
    #expect(missing.errorCode == "not_found")
    // A raw-only entry of the listing (`r<id>`) is no inquiry to decide: 409, said so.
    let rawEntry = try await daemon.api(
      .POST, "/inquiries/r1/reject", json: #"{"reason":"spam"}"#)
    #expect(rawEntry.status == 409)
    #expect(rawEntry.errorCode == "invalid_transition")

    // The decision is stored: a fresh read shows it.
    let read = try await daemon.api(.GET, "/inquiries/\(a)", token: daemon.readToken)
    #expect(read.json["status"] as? String == "accepted")
    #expect((read.json["acceptance"] as? [String: Any])?["by"] as? String == "crm")
  }

  @Test("bad transition bodies are 400 or 415 and change nothing")
  func badBodies() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let id = try await daemon.submitLead(1)
    let cases: [(String, String?, Int)] = [
      ("accept", "not json", 400), ("accept", "[]", 400), ("accept", "{}", 400),
      ("accept", #"{"action":"sell_more"}"#, 400), ("accept", #"{"action":1}"#, 400),
      ("accept", #"{"action":"new_client","clientid":"x"}"#, 400),
      ("reject", #"{"reason":"boring"}"#, 400), ("reject", "{}", 400),
      ("merge", #"{"into":""}"#, 400), ("merge", #"{"into":true}"#, 400),
      ("merge", #"{"into":5.5}"#, 400), ("accept", #"{"action":"new_client","comment":7}"#, 400),
    ]
    for (verb, body, status) in cases {
      let reply = try await daemon.api(.POST, "/inquiries/\(id)/\(verb)", json: body)
      #expect(reply.status == status, "\(verb) \(body ?? ""): \(reply.body)")
      #expect(reply.errorCode == "malformed_body", "\(verb) \(body ?? "")")
    }
    let wrongType = try await daemon.api(
      .POST, "/inquiries/\(id)/accept", json: nil,
      headers: [("Content-Type", "text/plain")])
    #expect(wrongType.status == 415)
    let read = try await daemon.api(.GET, "/inquiries/\(id)", token: daemon.readToken)
    #expect(read.json["status"] as? String == "new")
    #expect(read.json["acceptance"] == nil)
    // A CRM with numeric ids may send them as numbers: `42` is the id "42".
    let numeric = try await daemon.api(
      .POST, "/inquiries/\(id)/accept", json: #"{"action":"existing_contact","client_id":42}"#)
    #expect(numeric.status == 200, "\(numeric.body)")
    #expect((numeric.json["acceptance"] as? [String: Any])?["client_id"] as? String == "42")
  }

  @Test("raw items and attachments come back byte for byte with their content type")
  func rawAndAttachments() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let body = #"{"name":"Ольга","email":"olga@example.ru","message":"Привет"}"#
    let created = try await daemon.postLead(body, key: "raw-1")
    let id = try #require(created.json["id"] as? String)
    let inquiry = try await daemon.api(.GET, "/inquiries/\(id)", token: daemon.readToken)
    let rawID = try #require((inquiry.json["source"] as? [String: Any])?["raw_id"] as? String)
    let raw = try await daemon.api(.GET, "/raw/\(rawID)", token: daemon.readToken)
    #expect(raw.status == 200)
    #expect(raw.body == body)
    #expect(raw.headers.first(name: "content-type") == "application/json")
    #expect(try await daemon.api(.GET, "/raw/987654", token: daemon.readToken).status == 404)

    // A multipart form with a file.
    let boundary = "inlet-boundary"
    let file: [UInt8] = [0x25, 0x50, 0x44, 0x46, 0x00, 0xFF, 0x10, 0x0A]
    var multipart = Array(
      """
      --\(boundary)\r
      Content-Disposition: form-data; name="name"\r
      \r
      Пётр\r
      --\(boundary)\r
      Content-Disposition: form-data; name="email"\r
      \r
      petr@example.ru\r
      --\(boundary)\r
      Content-Disposition: form-data; name="file"; filename="счёт.pdf"\r
      Content-Type: application/pdf\r
      \r

      """.utf8)
    multipart += file
    multipart += Array("\r\n--\(boundary)--\r\n".utf8)
    let upload = try await daemon.request(
      .POST, "/hooks/site",
      headers: [
        ("Authorization", "Bearer \(daemon.siteToken)"),
        ("Content-Type", "multipart/form-data; boundary=\(boundary)"),
      ], body: multipart)
    #expect(upload.status == 201, "\(upload.body)")
    let uploaded = try await daemon.api(
      .GET, "/inquiries/\(upload.json["id"] as? String ?? "")", token: daemon.readToken)
    let attachment = try #require((uploaded.json["attachments"] as? [[String: Any]])?.first)
    let attachmentID = try #require(attachment["id"] as? String)
    let download = try await daemon.download("/attachments/\(attachmentID)")
    #expect(download.status == 200)
    #expect(download.headers.first(name: "content-type") == "application/pdf")
    #expect(
      download.headers.first(name: "content-disposition")?.contains("filename*=UTF-8''") == true)
    #expect(download.bytes == file)
    #expect(try await daemon.api(.GET, "/attachments/55555", token: daemon.readToken).status == 404)
  }

  @Test("a database another process keeps locked is 503 with Retry-After; the retry works")
  func lockedDatabase() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let id = try await daemon.submitLead(1)
    let lock = try WriteLock(daemon.databasePath)
    // Past the 10 s busy timeout: storage failing, not the request (design.md), so 503.
    let refused = try await daemon.api(
      .POST, "/inquiries/\(id)/accept", json: #"{"action":"new_client"}"#, timeout: .seconds(40))
    #expect(refused.status == 503, "\(refused.body)")
    #expect(refused.errorCode == "storage_unavailable")
    #expect(refused.headers.first(name: "retry-after") == "5")
    try lock.release()
    let accepted = try await daemon.api(
      .POST, "/inquiries/\(id)/accept", json: #"{"action":"new_client"}"#)
    #expect(accepted.status == 200, "\(accepted.body)")
  }
}
