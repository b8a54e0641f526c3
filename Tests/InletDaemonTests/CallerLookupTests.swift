import Foundation
import InletCore
import Testing

/// Providers that ask who is calling get the directory's name; call inquiries are matched by
/// the caller's number.
@Suite("Caller lookup", .serialized)
struct CallerLookupTests {
  @Test("MegaFon contact and Zadarma NOTIFY_START answer with the directory's name")
  func lookups() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let write = [
      ("Authorization", "Bearer \(pbx.daemon.writeToken)"), ("Content-Type", "application/json"),
    ]
    let client = try await pbx.daemon.request(
      .PUT, "/api/v1/directory/clients/cl-1", headers: write,
      body: Array(#"{"name":"ООО Ромашка","inn":"7707083893","phones":["+74951112233"]}"#.utf8))
    #expect(client.status == 200, "\(client.body)")
    let contact = try await pbx.daemon.request(
      .PUT, "/api/v1/directory/contacts/ct-1", headers: write,
      body: Array(#"{"client_id":"cl-1","name":"Анна Смирнова","phones":["8 916 123-45-67"]}"#.utf8)
    )
    #expect(contact.status == 200, "\(contact.body)")

    let megafon = try await pbx.postForm(
      "/hooks/megafon",
      [("cmd", "contact"), ("phone", "79161234567"), ("crm_token", TelephonyHarness.megafonKey)])
    #expect(megafon.status == 200)
    #expect(megafon.json["contact_name"] as? String == "Анна Смирнова")
    let unknown = try await pbx.postForm(
      "/hooks/megafon",
      [("cmd", "contact"), ("phone", "79990000000"), ("crm_token", TelephonyHarness.megafonKey)])
    #expect(unknown.body == "{}")

    let start = try await pbx.zadarma([
      ("event", "NOTIFY_START"), ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "lk_1"),
      ("caller_id", "79161234567"), ("called_did", "74951112233"),
    ])
    #expect(start.status == 200)
    #expect(start.json["caller_name"] as? String == "Анна Смирнова")

    // The call's inquiry is matched by the caller's number.
    let inquiry = try #require(try pbx.inquiries("zadarma").first)
    #expect(inquiry.match.contactID == "ct-1")
    #expect(inquiry.match.clientID == "cl-1")
    #expect(inquiry.match.by.contains("phone"))
    #expect(inquiry.match.suggestedAction == .existingContact)
  }

  @Test("a caller from abroad (bare international digits) is found and kept as its number")
  func foreignCaller() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let write = [
      ("Authorization", "Bearer \(pbx.daemon.writeToken)"), ("Content-Type", "application/json"),
    ]
    let contact = try await pbx.daemon.request(
      .PUT, "/api/v1/directory/contacts/by-1", headers: write,
      body: Array(#"{"name":"Алесь Минский","phones":["+375 29 123-45-67"]}"#.utf8))
    #expect(contact.status == 200, "\(contact.body)")

    let megafon = try await pbx.postForm(
      "/hooks/megafon",
      [("cmd", "contact"), ("phone", "375291234567"), ("crm_token", TelephonyHarness.megafonKey)])
    #expect(megafon.json["contact_name"] as? String == "Алесь Минский", "\(megafon.body)")
    let start = try await pbx.zadarma([
      ("event", "NOTIFY_START"), ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "by_1"),
      ("caller_id", "375291234567"), ("called_did", "74951112233"),
    ])
    #expect(start.json["caller_name"] as? String == "Алесь Минский", "\(start.body)")

    for (type, direction) in [("INCOMING", "in"), ("COMPLETED", "")] {
      let event = try await pbx.postForm(
        "/hooks/megafon",
        [
          ("cmd", "event"), ("type", type), ("direction", direction), ("callid", "mf-by"),
          ("phone", "375291234567"), ("user", "ivanov"), ("crm_token", TelephonyHarness.megafonKey),
        ])
      #expect(event.status == 200, "\(event.body)")
    }
    let lead = try #require(try pbx.inquiries("megafon").first)
    #expect(lead.sender.phone == "+375291234567")
    #expect(lead.extra["unparsed_phone"] == nil)
    #expect(lead.match.contactID == "by-1")
  }
}
