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
    // The quarantined webhook is listed as a form, and a `kind` filter reads it so.
    let raw = try #require(try await ids("status=quarantined").first)
    #expect(try await ids("status=all&kind=form") == [first, second, raw])
    #expect(try await ids("status=all&kind=email").isEmpty)
    #expect(try await ids("status=all&channel=nowhere").isEmpty)
    let since = ISO8601DateFormatter().string(from: cut.addingTimeInterval(1))
    let recent = try await ids("status=all&kind=form&since=\(since)")
    #expect(recent == [second, raw], "\(since)")

    for (query, code) in [
      ("status=maybe", "invalid_query"), ("kind=fax", "invalid_query"),
      ("since=yesterday", "invalid_query"), ("limit=0", "invalid_query"),
      ("limit=501", "invalid_query"), ("after=garbage", "invalid_cursor"),
      // A misspelt parameter is refused, not ignored (failed before: `cursor=` gave the first
      // page again, and a client paging with it looped for ever).
      ("cursor=q1.50.0", "invalid_query"), ("stauts=accepted", "invalid_query"),
      ("page_size=200", "invalid_query"),
    ] {
      let reply = try await daemon.api(.GET, "/inquiries?\(query)", token: daemon.readToken)
      #expect(reply.status == 400, "\(query)")
      #expect(reply.errorCode == code, "\(query): \(reply.body)")
    }
    for path in ["/deliveries?stauts=dead", "/events?limt=5", "/events?cursor=3"] {
      let reply = try await daemon.api(.GET, path, token: daemon.readToken)
      #expect(reply.status == 400, "\(path)")
      #expect(reply.errorCode == "invalid_query", "\(path): \(reply.body)")
    }
    #expect(
      try await daemon.api(.GET, "/deliveries?status=dead&after=0&limit=5", token: daemon.readToken)
        .status == 200)
    #expect(
      try await daemon.api(.GET, "/events?after=0&limit=5", token: daemon.readToken).status == 200)
  }

  @Test("`next` pages every status; `resume` only where entries join as they arrive")
  func cursorOnlyWhereExact() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    var ids: [String] = []
    for n in 0..<4 { ids.append(try await daemon.submitLead(n)) }
    let quarantined = try await daemon.postLead("{}")
    #expect(quarantined.status == 400)
    let rawID = try #require((quarantined.json["error"] as? [String: Any])?["raw_id"] as? String)
    func items(_ reply: DaemonHarness.Reply) -> [String] {
      (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
    let accept = #"{"action":"new_client"}"#

    // A later inquiry is accepted first: a listing of a decided status offers no `resume`, as
    // an earlier one decided later would join behind it.
    #expect(try await daemon.api(.POST, "/inquiries/\(ids[2])/accept", json: accept).status == 200)
    let listed = try await daemon.api(.GET, "/inquiries?status=accepted", token: daemon.readToken)
    #expect(items(listed) == [ids[2]])
    #expect(listed.json["resume"] == nil, "\(listed.body)")
    #expect(try await daemon.api(.POST, "/inquiries/\(ids[0])/accept", json: accept).status == 200)
    // Paging works for every status: `next` walks the whole listing.
    let accepted = try await daemon.allPages("status=accepted", limit: 1)
    #expect(accepted.compactMap { $0["id"] as? String } == [ids[0], ids[2]])
    for status in ["rejected", "merged", "ignored", "quarantined", "all"] {
      let reply = try await daemon.api(
        .GET, "/inquiries?status=\(status)&limit=1", token: daemon.readToken)
      #expect(reply.status == 200, "\(status): \(reply.body)")
      #expect(reply.json["resume"] == nil, "\(status): \(reply.body)")
    }
    // Nor for calls: a ringing call's `call` inquiry becomes `missed_call` behind a position.
    for kind in ["call", "missed_call"] {
      let reply = try await daemon.api(.GET, "/inquiries?kind=\(kind)", token: daemon.readToken)
      #expect(reply.status == 200, "\(kind): \(reply.body)")
      #expect(reply.json["resume"] == nil, "\(kind): \(reply.body)")
    }
    let formsNew = try await daemon.api(.GET, "/inquiries?kind=form", token: daemon.readToken)
    #expect(formsNew.json["resume"] as? String != nil, "\(formsNew.body)")
    let quarantinedPages = try await daemon.allPages("status=quarantined", limit: 1)
    #expect(quarantinedPages.compactMap { $0["id"] as? String } == ["r\(rawID)"])
    // A `kind` filter reads raw-only entries by the kind they are listed with.
    let forms = try await daemon.api(
      .GET, "/inquiries?status=quarantined&kind=form", token: daemon.readToken)
    #expect(items(forms) == ["r\(rawID)"], "\(forms.body)")
    let letters = try await daemon.api(
      .GET, "/inquiries?status=quarantined&kind=email", token: daemon.readToken)
    #expect(items(letters).isEmpty, "\(letters.body)")
    let position = try #require(
      try await daemon.api(.GET, "/inquiries?status=new&limit=1", token: daemon.readToken)
        .json["next"] as? String)

    // `new` and `all` page with `after` as before, and `all` shows every decision.
    let firstNew = try await daemon.api(
      .GET, "/inquiries?status=new&limit=1", token: daemon.readToken)
    #expect(items(firstNew) == [ids[1]])
    let nextNew = try #require(firstNew.json["next"] as? String)
    let restNew = try await daemon.api(
      .GET, "/inquiries?status=new&after=\(nextNew)", token: daemon.readToken)
    #expect(restNew.status == 200, "\(restNew.body)")
    #expect(items(restNew) == [ids[3]])
    let all = try await daemon.allPages("status=all", limit: 2)
    #expect(all.compactMap { $0["id"] as? String } == ids + ["r\(rawID)"])
    #expect(
      all.compactMap { $0["status"] as? String }
        == ["accepted", "new", "accepted", "new", "quarantined"])
    let fromPosition = try await daemon.api(
      .GET, "/inquiries?status=all&after=\(position)", token: daemon.readToken)
    #expect(fromPosition.status == 200, "\(fromPosition.body)")
    #expect(items(fromPosition) == [ids[2], ids[3], "r\(rawID)"])
  }

  @Test("a retried reopen naming its decision cannot take back a decision made since")
  func reopenPrecondition() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let id = try await daemon.submitLead(1)
    let accept = #"{"action":"new_client"}"#
    let first = try await daemon.api(.POST, "/inquiries/\(id)/accept", json: accept)
    let firstAt = try #require((first.json["acceptance"] as? [String: Any])?["at"] as? String)
    let body = #"{"decided_at":"\#(firstAt)"}"#
    // The CRM reopens it; the answer is lost.
    let reopened = try await daemon.api(.POST, "/inquiries/\(id)/reopen", json: body)
    #expect(reopened.status == 200, "\(reopened.body)")
    #expect(reopened.headers.first(name: "Inlet-Transition") == "applied")
    // Retried while nobody decided since: the same answer, `repeated`.
    let retried = try await daemon.api(.POST, "/inquiries/\(id)/reopen", json: body)
    #expect(retried.status == 200)
    #expect(retried.headers.first(name: "Inlet-Transition") == "repeated")
    // A manager accepts it again (a second later: times are whole seconds).
    try await Task.sleep(for: .milliseconds(1100))
    let second = try await daemon.api(.POST, "/inquiries/\(id)/accept", json: accept)
    #expect(second.status == 200)
    // The CRM's late retry no longer takes back anything: the manager's decision stays.
    let late = try await daemon.api(.POST, "/inquiries/\(id)/reopen", json: body)
    #expect(late.status == 409, "\(late.body)")
    #expect(late.errorCode == "decision_changed")
    let now = try await daemon.api(.GET, "/inquiries/\(id)", token: daemon.readToken)
    #expect(now.json["status"] as? String == "accepted")
    // Without `decided_at` a reopen takes back whatever decision there is, as before.
    let unconditional = try await daemon.api(.POST, "/inquiries/\(id)/reopen")
    #expect(unconditional.status == 200, "\(unconditional.body)")
    #expect(unconditional.json["status"] as? String == "new")
    // The same instant written otherwise is the same decision; a time that is none is a 400;
    // a `null` body asks nothing.
    let again = try await daemon.api(.POST, "/inquiries/\(id)/accept", json: accept)
    let againAt = try #require((again.json["acceptance"] as? [String: Any])?["at"] as? String)
    let fractional = againAt.replacingOccurrences(of: "Z", with: ".000+00:00")
    let same = try await daemon.api(
      .POST, "/inquiries/\(id)/reopen", json: #"{"decided_at":"\#(fractional)"}"#)
    #expect(same.status == 200, "\(same.body)")
    #expect(same.headers.first(name: "Inlet-Transition") == "applied")
    let nonsense = try await daemon.api(
      .POST, "/inquiries/\(id)/reopen", json: #"{"decided_at":"yesterday"}"#)
    #expect(nonsense.status == 400)
    #expect(nonsense.errorCode == "malformed_body")
    let null = try await daemon.api(.POST, "/inquiries/\(id)/reopen", json: "null")
    #expect(null.status == 200, "\(null.body)")
    #expect(null.headers.first(name: "Inlet-Transition") == "repeated")
    // A body that is no such object is refused.
    let typo = try await daemon.api(
      .POST, "/inquiries/\(id)/reopen", json: #"{"decided":"\#(firstAt)"}"#)
    #expect(typo.status == 400)
    #expect(typo.errorCode == "malformed_body")
  }

  @Test("a reopened inquiry enters `new` again: a listing resumed from before returns it once")
  func resumeSeesReopened() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    var ids: [String] = []
    for n in 0..<3 { ids.append(try await daemon.submitLead(n)) }
    func items(_ reply: DaemonHarness.Reply) -> [String] {
      (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
    let accept = #"{"action":"new_client"}"#
    #expect(try await daemon.api(.POST, "/inquiries/\(ids[0])/accept", json: accept).status == 200)
    let listed = try await daemon.api(.GET, "/inquiries", token: daemon.readToken)
    #expect(items(listed) == [ids[1], ids[2]])
    let resume = try #require(listed.json["resume"] as? String)

    // The CRM decided wrongly: taken back, the lead is in the queue again.
    let reopened = try await daemon.api(.POST, "/inquiries/\(ids[0])/reopen")
    #expect(reopened.status == 200, "\(reopened.body)")
    let since = try await daemon.api(.GET, "/inquiries?after=\(resume)", token: daemon.readToken)
    #expect(items(since) == [ids[0]], "\(since.body)")
    let later = try #require(since.json["resume"] as? String)
    // A lead arriving after the reopening follows it; nothing is listed twice.
    ids.append(try await daemon.submitLead(3))
    let after = try await daemon.api(.GET, "/inquiries?after=\(later)", token: daemon.readToken)
    #expect(items(after) == [ids[3]], "\(after.body)")
    let walked = try await daemon.allPages("status=new", limit: 1)
    #expect(walked.compactMap { $0["id"] as? String } == [ids[1], ids[2], ids[0], ids[3]])
    // Paging from a position inside the queue: what entered after it, in that order.
    let fromSecond = try await daemon.api(
      .GET, "/inquiries?limit=1", token: daemon.readToken)
    let next = try #require(fromSecond.json["next"] as? String)
    let rest = try await daemon.api(.GET, "/inquiries?after=\(next)", token: daemon.readToken)
    #expect(items(rest) == [ids[2], ids[0], ids[3]], "\(rest.body)")

    // Decided and reopened again: it moves to the end again; `all` keeps the order of arrival.
    #expect(
      try await daemon.api(.POST, "/inquiries/\(ids[1])/reject", json: #"{"reason":"other"}"#)
        .status == 200)
    let end = try #require(
      try await daemon.api(.GET, "/inquiries", token: daemon.readToken).json["resume"] as? String)
    #expect(try await daemon.api(.POST, "/inquiries/\(ids[1])/reopen").status == 200)
    let back = try await daemon.api(.GET, "/inquiries?after=\(end)", token: daemon.readToken)
    #expect(items(back) == [ids[1]], "\(back.body)")
    let all = try await daemon.allPages("status=all", limit: 2)
    #expect(all.compactMap { $0["id"] as? String } == ids)
    // The id the next lead gets still follows the last one given (the reopenings used numbers
    // of the same sequence; ids only grow).
    let newest = try await daemon.submitLead(4)
    #expect(Int(newest)! > Int(ids[3])!)
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
    // What went into d shows on d: c's text as a message naming c's raw item; a phone-only
    // duplicate (the same person calling back) adds its number, which d lacked.
    let cRaw = try #require(
      (try await daemon.api(.GET, "/inquiries/\(c)", token: daemon.readToken).json["source"]
        as? [String: Any])?["raw_id"] as? String)
    let caller = try await daemon.postLead(
      #"{"name":"Клиент 4","email":"client4@gmail.com","phone":"+7 916 000-11-11","message":"Перезвоните"}"#
    )
    let e = try #require(caller.json["id"] as? String)
    #expect(
      try await daemon.api(.POST, "/inquiries/\(e)/merge", json: #"{"into":"\#(d)"}"#).status
        == 200)
    let target = try await daemon.api(.GET, "/inquiries/\(d)", token: daemon.readToken)
    let messages = try #require(target.json["messages"] as? [[String: Any]])
    #expect(messages.compactMap { $0["text"] as? String } == ["Заявка 3", "Перезвоните"])
    #expect(messages.first?["raw_id"] as? String == cRaw)
    #expect((target.json["sender"] as? [String: Any])?["phone"] as? String == "+79160001111")
    #expect(
      (target.json["sender"] as? [String: Any])?["email"] as? String == "lead4@example.ru",
      "the same person's other address does not replace the target's")
    // Reopened and merged again (a CRM retrying), or merged back the other way: each raw item
    // shows once.
    #expect(try await daemon.api(.POST, "/inquiries/\(c)/reopen").status == 200)
    #expect(
      try await daemon.api(.POST, "/inquiries/\(c)/merge", json: #"{"into":"\#(d)"}"#).status
        == 200)
    let mergedTwice = try await daemon.api(.GET, "/inquiries/\(d)", token: daemon.readToken)
    #expect(
      (mergedTwice.json["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        == ["Заявка 3", "Перезвоните"])

    // A decision taken back: d is new again, without its acceptance, and can be decided anew.
    #expect(
      try await daemon.api(.POST, "/inquiries/\(d)/reject", json: #"{"reason":"spam"}"#).status
        == 200)
    let readOnly = try await daemon.api(.POST, "/inquiries/\(d)/reopen", token: daemon.readToken)
    #expect(readOnly.status == 403)
    let reopened = try await daemon.api(.POST, "/inquiries/\(d)/reopen")
    #expect(reopened.status == 200, "\(reopened.body)")
    #expect(reopened.headers.first(name: "inlet-transition") == "applied")
    #expect(reopened.json["status"] as? String == "new")
    #expect(reopened.json["acceptance"] == nil)
    let twice = try await daemon.api(.POST, "/inquiries/\(d)/reopen")
    #expect(twice.headers.first(name: "inlet-transition") == "repeated")
    let decidedAgain = try await daemon.api(
      .POST, "/inquiries/\(d)/accept", json: #"{"action":"new_client","client_id":"K-9"}"#)
    #expect(decidedAgain.status == 200, "\(decidedAgain.body)")
    #expect(try await daemon.api(.POST, "/inquiries/424242/reopen").status == 404)
    // A blank id is no id (a CRM's "none yet"), and ids compare trimmed: the same decision.
    let blank = try await daemon.submitLead(12)
    let blankID = try await daemon.api(
      .POST, "/inquiries/\(blank)/accept", json: #"{"action":"new_client","client_id":"  "}"#)
    #expect(blankID.status == 200, "\(blankID.body)")
    #expect((blankID.json["acceptance"] as? [String: Any])?["client_id"] == nil)
    let sameDecision = try await daemon.api(
      .POST, "/inquiries/\(blank)/accept", json: #"{"action":"new_client","client_id":null}"#)
    #expect(sameDecision.headers.first(name: "inlet-transition") == "repeated")
    // Reopened, it is matched again: the client the CRM created after the decision is known.
    let f = try await daemon.submitLead(9)
    #expect(
      try await daemon.api(.POST, "/inquiries/\(f)/accept", json: #"{"action":"new_client"}"#)
        .status == 200)
    let client = try await daemon.api(
      .PUT, "/directory/clients/K-9", json: #"{"name":"ООО Девять","emails":["lead9@example.ru"]}"#)
    #expect(client.status == 200, "\(client.body)")
    let rematched = try await daemon.api(.POST, "/inquiries/\(f)/reopen")
    let match = try #require(rematched.json["match"] as? [String: Any])
    #expect(match["client_id"] as? String == "K-9", "\(rematched.body)")
    #expect(match["suggested_action"] as? String == "new_contact_of_client")

    // Unknown inquiries are 404.
    let missing = try await daemon.api(
      .POST, "/inquiries/424242/accept", json: #"{"action":"new_client"}"#)
    #expect(missing.status == 404)
    #expect(missing.errorCode == "not_found")
    // An unknown raw id is as unknown as an unknown inquiry (`rawItemIDs` covers known ones).
    let missingRaw = try await daemon.api(
      .POST, "/inquiries/r424242/reject", json: #"{"reason":"spam"}"#)
    #expect(missingRaw.status == 404)
    #expect(missingRaw.errorCode == "not_found")

    // The decision is stored: a fresh read shows it.
    let read = try await daemon.api(.GET, "/inquiries/\(a)", token: daemon.readToken)
    #expect(read.json["status"] as? String == "accepted")
    #expect((read.json["acceptance"] as? [String: Any])?["by"] as? String == "crm")
  }

  @Test("an acceptance names the client of the sender's other inquiries until the directory does")
  func acceptedSender() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    func lead(_ email: String?, _ phone: String?, _ n: Int) async throws -> String {
      var fields = [#""message":"Заявка \#(n)""#]
      if let email { fields.append(#""email":"\#(email)""#) }
      if let phone { fields.append(#""phone":"\#(phone)""#) }
      let reply = try await daemon.postLead(
        "{" + fields.joined(separator: ",") + "}", key: "accepted-sender-\(n)")
      guard let id = reply.json["id"] as? String else {
        throw HarnessError("lead \(n): \(reply.status) \(reply.body)")
      }
      return id
    }
    func match(_ id: String) async throws -> [String: Any] {
      let reply = try await daemon.api(.GET, "/inquiries/\(id)", token: daemon.readToken)
      return try #require(reply.json["match"] as? [String: Any], "\(reply.body)")
    }

    // A new lead writes twice before the manager accepts the first letter for the client and
    // deal the CRM created.
    let a = try await lead("ivan@novaya.ru", "8 916 111-22-33", 1)
    let b = try await lead("ivan@novaya.ru", nil, 2)
    #expect(try await match(b)["suggested_action"] as? String == "new_client")
    let accepted = try await daemon.api(
      .POST, "/inquiries/\(a)/accept",
      json: #"{"action":"new_client","client_id":"K-1","contact_id":"P-1","interest_id":"I-1"}"#)
    #expect(accepted.status == 200, "\(accepted.body)")
    // The waiting letter follows at once (with an event for the CRM), and so does a call from
    // the phone the first letter gave.
    let waiting = try await match(b)
    #expect(waiting["client_id"] as? String == "K-1")
    #expect(waiting["contact_id"] as? String == "P-1")
    #expect(waiting["interest_ids"] as? [String] == ["I-1"])
    #expect(waiting["suggested_action"] as? String == "interaction_on_interest")
    #expect(waiting["by"] as? [String] == ["email"])
    #expect(waiting["accepted_inquiry_id"] as? String == a)
    #expect(waiting["potential_client"] as? Bool == true)
    let events = try await daemon.api(.GET, "/events?after=0&limit=500", token: daemon.readToken)
    let updates = (events.json["items"] as? [[String: Any]] ?? []).filter {
      $0["type"] as? String == "inquiry.updated" && $0["inquiry_id"] as? String == b
    }
    #expect(updates.count == 1, "\(events.body)")
    let call = try await lead(nil, "+79161112233", 3)
    let byPhone = try await match(call)
    #expect(byPhone["client_id"] as? String == "K-1")
    #expect(byPhone["by"] as? [String] == ["phone"])
    let read = try await daemon.api(.GET, "/inquiries/\(call)", token: daemon.readToken)
    #expect(read.json["returning"] as? Bool == true)

    // The CRM closes the deal: the contact is still known, the deal takes no interactions.
    let closed = try await daemon.api(
      .PUT, "/directory/interests/I-1", json: #"{"client_id":"K-1","status":"closed"}"#)
    #expect(closed.status == 200, "\(closed.body)")
    let afterClose = try await match(b)
    #expect(afterClose["interest_ids"] as? [String] == [])
    #expect(afterClose["suggested_action"] as? String == "existing_contact")
    // Once the directory knows the sender, the directory decides.
    #expect(
      try await daemon.api(.PUT, "/directory/clients/K-1", json: #"{"name":"ООО Новая"}"#).status
        == 200)
    #expect(
      try await daemon.api(
        .PUT, "/directory/contacts/P-1",
        json: #"{"client_id":"K-1","name":"Иван","emails":["ivan@novaya.ru"]}"#
      ).status == 200)
    let known = try await match(b)
    #expect(known["client_id"] as? String == "K-1")
    #expect(known["accepted_inquiry_id"] == nil, "\(known)")
    #expect(known["by"] as? [String] == ["email"])

    // The strongest criterion decides; another client's acceptance of the phone is a conflict.
    let g = try await lead("g@firma.ru", "+79165550000", 4)
    let h = try await lead("h@drugaya.ru", "+79165550000", 5)
    for (id, client) in [(g, "K-5"), (h, "K-6")] {
      let reply = try await daemon.api(
        .POST, "/inquiries/\(id)/accept",
        json: #"{"action":"existing_contact","client_id":"\#(client)"}"#)
      #expect(reply.status == 200, "\(reply.body)")
    }
    let j = try await lead("g@firma.ru", "+79165550000", 6)
    let both = try await match(j)
    #expect(both["client_id"] as? String == "K-5")
    #expect(both["by"] as? [String] == ["email"])
    #expect(both["conflicts"] as? [String] == ["phone"])
    #expect(both["suggested_action"] as? String == "new_contact_of_client")
    #expect(both["potential_client"] as? Bool == false)
    #expect(both["accepted_inquiry_id"] as? String == g)

    // A decision taken back no longer speaks for the sender.
    #expect(try await daemon.api(.POST, "/inquiries/\(g)/reopen").status == 200)
    let reopened = try await match(j)
    #expect(reopened["client_id"] as? String == "K-6", "\(reopened)")
    #expect(reopened["by"] as? [String] == ["phone"])
    #expect(reopened["accepted_inquiry_id"] as? String == h)
    #expect(try await daemon.api(.POST, "/inquiries/\(h)/reopen").status == 200)
    let none = try await match(j)
    #expect(none["client_id"] == nil)
    #expect(none["accepted_inquiry_id"] == nil)
    #expect(none["suggested_action"] as? String == "new_client")
    // An acceptance without a client_id names none.
    let k = try await lead("k@firma.ru", nil, 7)
    #expect(
      try await daemon.api(.POST, "/inquiries/\(k)/accept", json: #"{"action":"new_client"}"#)
        .status == 200)
    let l = try await lead("k@firma.ru", nil, 8)
    #expect(try await match(l)["suggested_action"] as? String == "new_client")

    // A business centre's switchboard, on more clients than `max_matches`: the directory
    // leaves it unused on purpose (a conflict), and one acceptance does not override that.
    let clients = (1...21).map {
      #"{"id":"BC-\#($0)","name":"Арендатор \#($0)","phones":["+74957770000"]}"#
    }
    let batch = try await daemon.api(
      .POST, "/directory/batch", json: #"{"clients":["# + clients.joined(separator: ",") + "]}")
    #expect(batch.status == 200, "\(batch.body)")
    let m = try await lead(nil, "+74957770000", 9)
    #expect(
      try await daemon.api(
        .POST, "/inquiries/\(m)/accept", json: #"{"action":"new_client","client_id":"BC-3"}"#
      ).status == 200)
    let n = try await match(try await lead(nil, "+74957770000", 10))
    #expect(n["client_id"] == nil, "\(n)")
    #expect(n["conflicts"] as? [String] == ["phone"])
    #expect(n["accepted_inquiry_id"] == nil)
  }

  @Test("Inlet-Transition tells the request that made a decision from one that repeated it")
  func transitionHeader() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let a = try await daemon.submitLead(1)
    let b = try await daemon.submitLead(2)
    let c = try await daemon.submitLead(3)
    func mark(_ reply: DaemonHarness.Reply) -> String? {
      reply.headers.first(name: "inlet-transition")
    }

    // Two managers accept the same inquiry at once: both 200, exactly one `applied`.
    let body = #"{"action":"existing_contact","client_id":"C-1"}"#
    async let one = daemon.api(.POST, "/inquiries/\(a)/accept", json: body)
    async let two = daemon.api(.POST, "/inquiries/\(a)/accept", json: body)
    let both = try await [one, two]
    #expect(both.map(\.status) == [200, 200], "\(both.map(\.body))")
    #expect(both.compactMap(mark).sorted() == ["applied", "repeated"])
    let retried = try await daemon.api(.POST, "/inquiries/\(a)/accept", json: body)
    #expect(retried.status == 200)
    #expect(mark(retried) == "repeated")
    // A contradicting decision is 409, with no such header.
    let other = try await daemon.api(
      .POST, "/inquiries/\(a)/accept", json: #"{"action":"new_client"}"#)
    #expect(other.status == 409)
    #expect(mark(other) == nil)

    // The same for reject and merge.
    for (path, json) in [
      ("/inquiries/\(b)/reject", #"{"reason":"spam"}"#),
      ("/inquiries/\(c)/merge", #"{"into":"\#(b)"}"#),
    ] {
      let first = try await daemon.api(.POST, path, json: json)
      #expect(first.status == 200, "\(path): \(first.body)")
      #expect(mark(first) == "applied", "\(path)")
      let second = try await daemon.api(.POST, path, json: json)
      #expect(second.status == 200, "\(path): \(second.body)")
      #expect(mark(second) == "repeated", "\(path)")
    }
  }

  @Test("`r<raw id>`: decided as its inquiry, also one replay made; 404 unknown; /raw takes it")
  func rawItemIDs() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    // Definitions from a folder of the test's own, so that the test can fix one (as
    // ReplayTests does) and `inlet replay` turns a quarantined item into an inquiry.
    let channels = daemon.folder.appendingPathComponent("channels")
    try FileManager.default.createDirectory(at: channels, withIntermediateDirectories: true)
    let definition = channels.appendingPathComponent("generic.yaml")
    try FileManager.default.copyItem(
      at: DaemonHarness.repositoryRoot.appendingPathComponent("channels/generic.yaml"),
      to: definition)
    let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
      .replacingOccurrences(
        of: DaemonHarness.repositoryRoot.appendingPathComponent("channels").path,
        with: channels.path)
    try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
    try await daemon.start()

    let odd = #"{"client_mail":"petr@romashka.ru","zapros":"Нужен счёт"}"#
    let kept = try await daemon.postLead(odd)
    #expect(kept.status == 400)
    let rawID = try #require((kept.json["error"] as? [String: Any])?["raw_id"] as? String)
    let reject = #"{"reason":"spam"}"#

    // Quarantined: no inquiry to decide (409); an unknown raw id is 404, as an unknown inquiry.
    let quarantined = try await daemon.api(.POST, "/inquiries/r\(rawID)/reject", json: reject)
    #expect(quarantined.status == 409, "\(quarantined.body)")
    #expect(quarantined.errorCode == "invalid_transition")
    for verb in ["accept", "reject", "merge"] {
      let json =
        verb == "accept"
        ? #"{"action":"new_client"}"# : verb == "reject" ? reject : #"{"into":"1"}"#
      let unknown = try await daemon.api(.POST, "/inquiries/r987654/\(verb)", json: json)
      #expect(unknown.status == 404, "\(verb): \(unknown.body)")
      #expect(unknown.errorCode == "not_found", "\(verb)")
    }
    // The listing's id reads the raw bytes too.
    for id in [rawID, "r\(rawID)"] {
      let raw = try await daemon.api(.GET, "/raw/\(id)", token: daemon.readToken)
      #expect(raw.status == 200, "\(id): \(raw.body)")
      #expect(raw.body == odd, "\(id)")
    }
    let missing = try await daemon.api(.GET, "/raw/r987654", token: daemon.readToken)
    #expect(missing.status == 404)
    #expect(missing.errorCode == "not_found")

    // The definition learns the fields; `inlet replay` makes the item an inquiry.
    daemon.stop()
    var text = try String(contentsOf: definition, encoding: .utf8)
    text = text.replacingOccurrences(
      of: "sender.email: [email,", with: "sender.email: [client_mail, email,")
    text = text.replacingOccurrences(of: "text: [message,", with: "text: [zapros, message,")
    try text.write(to: definition, atomically: true, encoding: .utf8)
    let replay = try daemon.cli(["replay"])
    #expect(replay.output.contains("1 created"), "\(replay.output) \(replay.error)")
    try await daemon.start()

    let read = try await daemon.api(.GET, "/inquiries/r\(rawID)", token: daemon.readToken)
    #expect(read.status == 200)
    let inquiryID = try #require(read.json["id"] as? String)
    #expect(inquiryID != "r\(rawID)", "the replayed item reads as its inquiry")
    // Deciding `r<id>` decides that inquiry, as reading it shows it.
    let rejected = try await daemon.api(.POST, "/inquiries/r\(rawID)/reject", json: reject)
    #expect(rejected.status == 200, "\(rejected.body)")
    #expect(rejected.json["id"] as? String == inquiryID)
    #expect(rejected.json["status"] as? String == "rejected")
    #expect(rejected.headers.first(name: "inlet-transition") == "applied")
    let byID = try await daemon.api(.GET, "/inquiries/\(inquiryID)", token: daemon.readToken)
    #expect(byID.json["status"] as? String == "rejected")
    let repeated = try await daemon.api(.POST, "/inquiries/\(inquiryID)/reject", json: reject)
    #expect(repeated.status == 200)
    #expect(repeated.headers.first(name: "inlet-transition") == "repeated")
    #expect(try await daemon.api(.GET, "/raw/r\(rawID)", token: daemon.readToken).status == 200)

    // A merge may name its target by the listing's `r<id>` too; the inquiry's id is recorded.
    let other = try await daemon.submitLead(7)
    let merged = try await daemon.api(
      .POST, "/inquiries/\(other)/merge", json: #"{"into":"r\#(rawID)"}"#)
    #expect(merged.status == 200, "\(merged.body)")
    #expect((merged.json["acceptance"] as? [String: Any])?["into"] as? String == inquiryID)
    let mergedAgain = try await daemon.api(
      .POST, "/inquiries/\(other)/merge", json: #"{"into":"\#(inquiryID)"}"#)
    #expect(mergedAgain.headers.first(name: "inlet-transition") == "repeated")
    // An `r<id>` that made no inquiry is no target: 404 for a new inquiry; a decided one is
    // 409 whatever the target, as with an unknown inquiry id.
    let fresh = try await daemon.submitLead(8)
    let noTarget = try await daemon.api(
      .POST, "/inquiries/\(fresh)/merge", json: #"{"into":"r987654"}"#)
    #expect(noTarget.status == 404)
    #expect(noTarget.errorCode == "merge_target_not_found")
    for into in ["r987654", "987654"] {
      let decided = try await daemon.api(
        .POST, "/inquiries/\(other)/merge", json: #"{"into":"\#(into)"}"#)
      #expect(decided.status == 409, "\(into): \(decided.body)")
      #expect(decided.errorCode == "invalid_transition")
    }
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
