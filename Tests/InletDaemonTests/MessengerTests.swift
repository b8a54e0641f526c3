import Foundation
import InletCore
import InletStore
import Testing

/// Messenger webhooks through the real daemon: each provider's real update format, secrets and
/// signatures, handshakes, and conversations split over several updates.
@Suite("Messengers", .serialized)
struct MessengerTests {
  static let start = 1_796_000_000

  static func telegramText(
    update: Int, message: Int, chat: Int64 = 5_123_456_789, date: Int, text: String
  ) -> String {
    #"{"update_id":\#(update),"message":{"message_id":\#(message),"from":{"id":\#(chat),"is_bot":false,"first_name":"Иван","last_name":"Петров","username":"ivan_p","language_code":"ru"},"chat":{"id":\#(chat),"first_name":"Иван","username":"ivan_p","type":"private"},"date":\#(date),"text":"\#(text)"}}"#
  }

  /// A shared contact: the sender's own unless `owner` (the contact's `user_id`) is another's.
  static func telegramContact(
    update: Int, message: Int, chat: Int64 = 5_123_456_789, date: Int,
    phone: String = "79161234567", owner: Int64? = nil
  ) -> String {
    #"{"update_id":\#(update),"message":{"message_id":\#(message),"from":{"id":\#(chat),"is_bot":false,"first_name":"Иван","username":"ivan_p"},"chat":{"id":\#(chat),"type":"private"},"date":\#(date),"contact":{"phone_number":"\#(phone)","first_name":"Иван","last_name":"Петров","user_id":\#(owner ?? chat)}}}"#
  }

  @Test("Telegram: a conversation, own and others' contacts, duplicates, 401, quarantined → 200")
  func telegram() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    try await hub.daemon.start()
    let first = try await hub.telegram(
      Self.telegramText(update: 1001, message: 1, date: Self.start, text: "Здравствуйте!"))
    #expect(first.status == 200, "\(first.body)")
    let second = try await hub.telegram(
      Self.telegramText(
        update: 1002, message: 2, date: Self.start + 60, text: "Сколько стоит доставка в Казань?"))
    #expect(second.status == 200)
    // The CRM knows this phone: once the customer shares it, the conversation is matched.
    let client = try await hub.daemon.api(
      .PUT, "/directory/clients/C-9", json: #"{"name":"ООО Петров и сыновья"}"#)
    #expect(client.status == 200, "\(client.body)")
    let known = try await hub.daemon.api(
      .PUT, "/directory/contacts/P-9",
      json: #"{"client_id":"C-9","name":"Иван Петров","phones":["+7 916 123-45-67"]}"#)
    #expect(known.status == 200, "\(known.body)")
    let contact = try await hub.telegram(
      Self.telegramContact(update: 1003, message: 3, date: Self.start + 120))
    #expect(contact.status == 200)
    // Telegram re-delivers an update it got no 2xx for: the same update_id changes nothing.
    #expect(
      try await hub.telegram(
        Self.telegramText(update: 1002, message: 2, date: Self.start + 60, text: "x")
      ).status == 200)
    let forged = try await hub.telegram(
      Self.telegramText(update: 1004, message: 4, date: Self.start + 130, text: "hi"),
      secret: "wrong")
    #expect(forged.status == 401)
    let unsigned = try await hub.postJSON(
      "/hooks/telegram", Self.telegramText(update: 1005, message: 5, date: Self.start, text: "a"))
    #expect(unsigned.status == 401)
    // Signed but unreadable: kept as quarantined, and acknowledged like any update (Telegram
    // re-delivers anything but a 2xx, holding up the bot's later updates).
    let malformed = try await hub.telegram(#"{"update_id":1006,"message":"#)
    #expect(malformed.status == 200, "\(malformed.body)")
    #expect(malformed.body == "{}")
    #expect(try hub.entries("telegram").filter { $0.status == "quarantined" }.count == 1)

    var inquiries = try hub.inquiries("telegram")
    #expect(inquiries.count == 1, "one conversation, one inquiry")
    var inquiry = try #require(inquiries.first)
    #expect(inquiry.kind == .message)
    #expect(inquiry.text == "Здравствуйте!")
    #expect(inquiry.sender.name == "Иван Петров")
    #expect(
      inquiry.sender.messenger
        == Inquiry.Messenger(network: "telegram", id: "5123456789", username: "ivan_p"))
    #expect(inquiry.sender.phone == "+79161234567", "the shared contact's phone, normalised")
    #expect(inquiry.match.contactID == "P-9", "matched by the shared phone")
    #expect(inquiry.match.clientID == "C-9")
    #expect(inquiry.messages.count == 2)
    #expect(inquiry.messages.first?.text == "Сколько стоит доставка в Казань?")
    #expect(try hub.rawCount("telegram") == 4, "three updates and the malformed one")
    let metrics = try await hub.daemon.get("/metrics").1
    #expect(metrics.contains(#"inlet_auth_failures_total{channel="telegram"} 2"#), "\(metrics)")
    let stored = try hub.database().readSync { db in
      try String.fetchOne(db, sql: "SELECT transport FROM raw_items WHERE channel = 'telegram'")
    }
    #expect(stored?.contains(FormsHarness.telegramSecret) == false, "the secret is not stored")

    // Accepted: the next message in the window starts a new inquiry threaded to it.
    let accepted = try await hub.daemon.api(
      .POST, "/inquiries/\(inquiry.id)/accept",
      json:
        #"{"action":"existing_contact","client_id":"C-1","contact_id":"P-1","interest_id":"I-1"}"#)
    #expect(accepted.status == 200, "\(accepted.body)")
    let later = try await hub.telegram(
      Self.telegramText(update: 1007, message: 7, date: Self.start + 600, text: "И ещё вопрос"))
    #expect(later.status == 200)
    inquiries = try hub.inquiries("telegram")
    #expect(inquiries.count == 2)
    let threaded = try #require(inquiries.last)
    #expect(threaded.thread?.inquiryID == inquiry.id)
    #expect(threaded.match.suggestedAction == .interactionOnInterest)
    #expect(threaded.match.interestIDs.contains("I-1"))

    // Outside the window (two hours later): a fresh inquiry, not a continuation.
    _ = try await hub.telegram(
      Self.telegramText(update: 1008, message: 8, date: Self.start + 7800, text: "Добрый день"))
    inquiries = try hub.inquiries("telegram")
    #expect(inquiries.count == 3)
    inquiry = try #require(inquiries.last)
    #expect(inquiry.thread == nil)
    #expect(inquiry.returning, "the same Telegram user wrote before")

    // Someone else's contact (user_id ≠ from.id) is not the sender's phone: only the text.
    let other: Int64 = 6_200_300_400
    let thirdParty = try await hub.telegram(
      Self.telegramContact(
        update: 1009, message: 9, chat: other, date: Self.start + 7900, phone: "79035550011",
        owner: 7_300_400_500))
    #expect(thirdParty.status == 200)
    inquiries = try hub.inquiries("telegram")
    #expect(inquiries.count == 4)
    let shared = try #require(inquiries.last)
    #expect(shared.sender.messenger?.id == "6200300400")
    #expect(shared.sender.phone == nil, "someone else's number is not the sender's")
    #expect(shared.text?.contains("79035550011") == true, "\(shared.text ?? "")")
    // The sender's own contact afterwards still gives the conversation its phone.
    let own = try await hub.telegram(
      Self.telegramContact(
        update: 1010, message: 10, chat: other, date: Self.start + 7960, phone: "79261112233"))
    #expect(own.status == 200)
    inquiries = try hub.inquiries("telegram")
    #expect(inquiries.count == 4, "the same conversation")
    let continued = try #require(inquiries.first { $0.id == shared.id })
    #expect(continued.sender.phone == "+79261112233", "the sender's own shared contact")

    // A decided conversation goes on however long after: the client answering the manager the
    // next day is a new inquiry threaded to the accepted one, suggesting its interest.
    let fresh = try #require(try hub.inquiries("telegram").first { $0.id == inquiry.id })
    let decided = try await hub.daemon.api(
      .POST, "/inquiries/\(fresh.id)/accept",
      json:
        #"{"action":"existing_contact","client_id":"C-1","contact_id":"P-1","interest_id":"I-7"}"#)
    #expect(decided.status == 200, "\(decided.body)")
    _ = try await hub.telegram(
      Self.telegramText(update: 1011, message: 11, date: Self.start + 90_000, text: "Счёт оплатили")
    )
    inquiries = try hub.inquiries("telegram")
    #expect(inquiries.count == 5)
    let nextDay = try #require(inquiries.last)
    #expect(nextDay.text == "Счёт оплатили")
    #expect(nextDay.thread?.inquiryID == fresh.id, "threaded although the window had passed")
    #expect(nextDay.match.suggestedAction == .interactionOnInterest)
    #expect(nextDay.match.interestIDs.contains("I-7"))
  }

  @Test("VK: confirmation handshake, secret, old and new object shapes, reply ok")
  func vk() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    try await hub.daemon.start()
    let confirmation = try await hub.postJSON(
      "/hooks/vk", #"{"type":"confirmation","group_id":229876543}"#)
    #expect(confirmation.status == 200)
    #expect(confirmation.body == FormsHarness.vkConfirmation)

    func newShape(_ event: String, from: Int, date: Int, text: String, secret: String) -> String {
      #"{"type":"message_new","event_id":"\#(event)","v":"5.199","object":{"message":{"date":\#(date),"from_id":\#(from),"id":\#(date % 1000),"out":0,"peer_id":\#(from),"text":"\#(text)","conversation_message_id":7},"client_info":{"keyboard":true}},"group_id":229876543,"secret":"\#(secret)"}"#
    }
    let one = try await hub.postJSON(
      "/hooks/vk",
      newShape(
        "e1", from: 612_444_319, date: Self.start, text: "Добрый день",
        secret: FormsHarness.vkSecret))
    #expect(one.status == 200)
    #expect(one.body == "ok")
    let two = try await hub.postJSON(
      "/hooks/vk",
      newShape(
        "e2", from: 612_444_319, date: Self.start + 30, text: "Нужен счёт",
        secret: FormsHarness.vkSecret))
    #expect(two.body == "ok")
    #expect(
      try await hub.postJSON(
        "/hooks/vk",
        newShape(
          "e2", from: 612_444_319, date: Self.start + 30, text: "Нужен счёт",
          secret: FormsHarness.vkSecret)
      ).body == "ok")
    let old = try await hub.postJSON(
      "/hooks/vk",
      #"{"type":"message_new","event_id":"e3","object":{"date":\#(Self.start),"from_id":700100200,"id":51,"out":0,"peer_id":700100200,"text":"Старый формат"},"group_id":229876543,"secret":"\#(FormsHarness.vkSecret)"}"#
    )
    #expect(old.body == "ok")
    let typing = try await hub.postJSON(
      "/hooks/vk",
      #"{"type":"message_typing_state","event_id":"e4","object":{"state":"typing","from_id":1,"to_id":-229876543},"group_id":229876543,"secret":"\#(FormsHarness.vkSecret)"}"#
    )
    #expect(typing.body == "ok")
    let forged = try await hub.postJSON(
      "/hooks/vk", newShape("e5", from: 1, date: Self.start, text: "x", secret: "wrong"))
    #expect(forged.status == 401)
    let malformed = try await hub.postJSON("/hooks/vk", "not json")
    // Without a readable body there is no secret to check: refused, not stored.
    #expect(malformed.status == 400)

    let inquiries = try hub.inquiries("vk")
    #expect(inquiries.count == 2)
    let first = try #require(inquiries.first)
    #expect(first.sender.messenger == Inquiry.Messenger(network: "vk", id: "612444319"))
    #expect(first.text == "Добрый день")
    #expect(first.messages.map(\.text) == ["Нужен счёт"])
    #expect(inquiries.last?.text == "Старый формат")
    #expect(try hub.rawCount("vk") == 3, "confirmation, typing and forged requests are not stored")
    // The stored body is served without the secret that authenticates VK's requests.
    let rawID = try #require(first.source.rawID)
    let served = try await hub.daemon.download("/raw/\(rawID)")
    #expect(served.status == 200)
    let text = String(decoding: served.bytes, as: UTF8.self)
    #expect(text.contains("Добрый день"))
    #expect(!text.contains(FormsHarness.vkSecret), "\(text)")
    #expect(text.contains(#""secret":"[redacted]""#), "\(text)")

    // Rejected: the customer's next message in the window is a new inquiry threaded to it.
    let rejected = try await hub.daemon.api(
      .POST, "/inquiries/\(first.id)/reject", json: #"{"reason":"not_a_lead"}"#)
    #expect(rejected.status == 200, "\(rejected.body)")
    let after = try await hub.postJSON(
      "/hooks/vk",
      newShape(
        "e6", from: 612_444_319, date: Self.start + 120, text: "Всё-таки нужен счёт",
        secret: FormsHarness.vkSecret))
    #expect(after.body == "ok")
    let threaded = try #require(try hub.inquiries("vk").last)
    #expect(threaded.text == "Всё-таки нужен счёт")
    #expect(threaded.thread?.inquiryID == first.id)
    #expect(threaded.match.suggestedAction != .interactionOnInterest)

    // Authenticated but without an author: kept as quarantined and still answered `ok` (VK
    // retries anything else), its re-delivery too.
    let anonymous =
      #"{"type":"message_new","event_id":"e7","v":"5.199","object":{"message":{"date":\#(Self.start + 200),"id":7,"text":"Кто я?"}},"group_id":229876543,"secret":"\#(FormsHarness.vkSecret)"}"#
    for _ in 0..<2 {
      let kept = try await hub.postJSON("/hooks/vk", anonymous)
      #expect(kept.status == 200, "\(kept.body)")
      #expect(kept.body == "ok")
    }
    #expect(try hub.entries("vk").filter { $0.status == "quarantined" }.count == 1)

    // The community's bot added to a chat: a service message, kept as ignored, no lead.
    let invited =
      #"{"type":"message_new","event_id":"e9","v":"5.199","object":{"message":{"date":\#(Self.start + 300),"from_id":242175861,"peer_id":2000000004,"id":0,"text":"","action":{"type":"chat_invite_user","member_id":-229876543}}},"group_id":229876543,"secret":"\#(FormsHarness.vkSecret)"}"#
    #expect(try await hub.postJSON("/hooks/vk", invited).body == "ok")
    #expect(try hub.inquiries("vk").count == 3)
    #expect(
      try hub.entries("vk").contains {
        $0.status == "ignored" && $0.sender.messenger?.id == nil
      })
  }

  static func whatsappMessage(id: String, from: String, timestamp: Int, text: String) -> String {
    #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Алексей"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"\#(timestamp)","text":{"body":"\#(text)"},"type":"text"}]},"field":"messages"}]}]}"#
  }

  @Test("WhatsApp: verification challenge, X-Hub-Signature-256, status callbacks dropped")
  func whatsapp() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    try await hub.daemon.start()
    let verified = try await hub.raw(
      .GET,
      "/hooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=\(FormsHarness.whatsappVerify)"
    )
    #expect(verified.status == 200)
    #expect(verified.body == "1158201444")
    let refused = try await hub.raw(
      .GET, "/hooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope")
    #expect(refused.status == 403)

    let message = Self.whatsappMessage(
      id: "wamid.HBgLNzkxNjEyMzQ1NjcVAgASGBQzQTBD", from: "79161234567", timestamp: Self.start,
      text: "Здравствуйте, есть в наличии?")
    #expect(try await hub.whatsapp(message).status == 200)
    #expect(try await hub.whatsapp(message).status == 200)
    let more = Self.whatsappMessage(
      id: "wamid.second", from: "79161234567", timestamp: Self.start + 90, text: "Модель X200")
    #expect(try await hub.whatsapp(more).status == 200)
    let status =
      #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.out1","status":"delivered","timestamp":"1796000100","recipient_id":"79161234567"}]},"field":"messages"}]}]}"#
    #expect(try await hub.whatsapp(status).status == 200)
    let forged = try await hub.whatsapp(
      Self.whatsappMessage(
        id: "wamid.forged", from: "79990000000", timestamp: Self.start, text: "x"),
      secret: "wrong")
    #expect(forged.status == 401)

    // A batch: two messages of another customer in one request, each stored on its own.
    let batch =
      #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Марина"},"wa_id":"79035556677"}],"messages":[{"from":"79035556677","id":"wamid.b1","timestamp":"\#(Self.start)","text":{"body":"Первое"},"type":"text"},{"from":"79035556677","id":"wamid.b2","timestamp":"\#(Self.start + 5)","text":{"body":"Второе"},"type":"text"}]},"field":"messages"}]}]}"#
    #expect(try await hub.whatsapp(batch).status == 200)
    #expect(try await hub.whatsapp(batch).status == 200, "a re-sent batch is all duplicates")
    let marina = try #require(try hub.inquiries("whatsapp").first { $0.sender.name == "Марина" })
    #expect(marina.sender.phone == "+79035556677")
    #expect(marina.text == "Первое")
    #expect(marina.messages.map(\.text) == ["Второе"])

    // Two entries: a status callback first, then a message from Belarus — the status decides
    // nothing for the message, and the number keeps its own country.
    let mixed =
      #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","statuses":[{"id":"wamid.out2","status":"read","timestamp":"1796000200","recipient_id":"79161234567"}]},"field":"messages"}]},{"id":"2","changes":[{"value":{"messaging_product":"whatsapp","contacts":[{"profile":{"name":"Сергей"},"wa_id":"375291234567"}],"messages":[{"from":"375291234567","id":"wamid.by1","timestamp":"\#(Self.start)","text":{"body":"Нужен счёт"},"type":"text"}]},"field":"messages"}]}]}"#
    #expect(try await hub.whatsapp(mixed).status == 200)
    let sergey = try #require(try hub.inquiries("whatsapp").first { $0.sender.name == "Сергей" })
    #expect(sergey.sender.phone == "+375291234567")
    #expect(sergey.text == "Нужен счёт")

    // One value with a message and a status callback both: the message is stored.
    let both =
      #"{"object":"whatsapp_business_account","entry":[{"id":"3","changes":[{"value":{"messaging_product":"whatsapp","contacts":[{"profile":{"name":"Ольга"},"wa_id":"79037778899"}],"messages":[{"from":"79037778899","id":"wamid.ol1","timestamp":"\#(Self.start)","text":{"body":"Есть доставка?"},"type":"text"}],"statuses":[{"id":"wamid.out3","status":"read","timestamp":"1796000300","recipient_id":"79161234567"}]},"field":"messages"}]}]}"#
    #expect(try await hub.whatsapp(both).status == 200)
    let olga = try #require(try hub.inquiries("whatsapp").first { $0.sender.name == "Ольга" })
    #expect(olga.text == "Есть доставка?")

    // Signed but unreadable: kept as quarantined, acknowledged so that Meta does not re-deliver.
    let malformed = try await hub.whatsapp(#"{"object":"whatsapp_business_account","entry":["#)
    #expect(malformed.status == 200, "\(malformed.body)")
    #expect(malformed.body == "{}")
    #expect(try hub.entries("whatsapp").filter { $0.status == "quarantined" }.count == 1)

    let inquiries = try hub.inquiries("whatsapp")
    #expect(inquiries.count == 4)
    let inquiry = try #require(inquiries.first)
    #expect(inquiry.sender.phone == "+79161234567")
    #expect(inquiry.sender.name == "Алексей")
    #expect(inquiry.sender.messenger?.network == "whatsapp")
    #expect(inquiry.text == "Здравствуйте, есть в наличии?")
    #expect(inquiry.messages.map(\.text) == ["Модель X200"])
    #expect(try hub.rawCount("whatsapp") == 7, "the status callbacks are acknowledged, not stored")

    // One batch, two senders (and a third the batch has no contact for): each message is named
    // from its own sender's contact, or not at all, never from the batch's first contact.
    let later = Self.start + 10_000
    let senders =
      #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Марина"},"wa_id":"79035556677"},{"profile":{"name":"Олег"},"wa_id":"79261112233"}],"messages":[{"from":"79035556677","id":"wamid.m1","timestamp":"\#(later)","text":{"body":"Когда доставка?"},"type":"text"},{"from":"79261112233","id":"wamid.o1","timestamp":"\#(later + 3)","text":{"body":"Нужен прайс"},"type":"text"},{"from":"79152223344","id":"wamid.n1","timestamp":"\#(later + 6)","text":{"body":"Добрый вечер"},"type":"text"}]},"field":"messages"}]}]}"#
    #expect(try await hub.whatsapp(senders).status == 200)
    let named = try hub.inquiries("whatsapp")
    #expect(named.count == 7)
    let oleg = try #require(named.first { $0.sender.phone == "+79261112233" })
    #expect(oleg.sender.name == "Олег")
    #expect(oleg.text == "Нужен прайс")
    let marinaLater = try #require(named.first { $0.text == "Когда доставка?" })
    #expect(marinaLater.sender.name == "Марина")
    #expect(marinaLater.sender.phone == "+79035556677")
    let unnamed = try #require(named.first { $0.sender.phone == "+79152223344" })
    #expect(unnamed.sender.name == nil, "no contact for this sender: no name rather than another's")
    #expect(unnamed.text == "Добрый вечер")
  }

  /// WhatsApp usernames: a customer who hides the number is named only by the business-scoped
  /// user id (`from_user_id`, the contact's `user_id`): a lead all the same, continued by that
  /// id, named from its own contact in a batch. Meta's dashboard Test button's sample is no
  /// lead; a WhatsApp Flow's answers are the text.
  @Test func whatsappUsernamesAndTheTestButton() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    try await hub.daemon.start()
    func value(_ contacts: String, _ messages: String) -> String {
      #"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"106540352242922"},"contacts":[\#(contacts)],"messages":[\#(messages)]},"field":"messages"}]}]}"#
    }
    let anna = #"{"profile":{"name":"Анна","username":"@anna"},"user_id":"RU.1349208655302741"}"#
    let oleg = #"{"profile":{"name":"Олег"},"wa_id":"79261112233","user_id":"RU.77"}"#
    let batch = value(
      anna + "," + oleg,
      #"{"from":"79261112233","from_user_id":"RU.77","id":"wamid.o1","timestamp":"\#(Self.start)","text":{"body":"Нужен прайс"},"type":"text"},"#
        + #"{"from_user_id":"RU.1349208655302741","id":"wamid.a1","timestamp":"\#(Self.start + 5)","text":{"body":"Нужен счёт"},"type":"text"}"#
    )
    #expect(try await hub.whatsapp(batch).status == 200)
    let more = value(
      anna,
      #"{"from_user_id":"RU.1349208655302741","id":"wamid.a2","timestamp":"\#(Self.start + 60)","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"name":"flow","body":"Sent","response_json":"{\"city\":\"Казань\"}"}}}"#
    )
    #expect(try await hub.whatsapp(more).status == 200)
    let test =
      #"{"object":"whatsapp_business_account","entry":[{"id":"0","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"16505551111","phone_number_id":"123456123"},"contacts":[{"profile":{"name":"test user name"},"wa_id":"16315551181"}],"messages":[{"from":"16315551181","id":"ABGGFlA5Fpa","timestamp":"1504902988","type":"text","text":{"body":"this is a text message"}}]}}]}]}"#
    #expect(try await hub.whatsapp(test).status == 200)

    let inquiries = try hub.inquiries("whatsapp")
    #expect(inquiries.count == 2, "\(inquiries.map(\.text))")
    let lead = try #require(inquiries.first { $0.sender.name == "Анна" })
    #expect(lead.sender.phone == nil)
    #expect(lead.sender.messenger?.id == "RU.1349208655302741")
    #expect(lead.sender.messenger?.username == "@anna")
    #expect(lead.text == "Нужен счёт")
    #expect(lead.messages.map(\.text) == [#"{"city":"Казань"}"#])
    let olegLead = try #require(inquiries.first { $0.sender.name == "Олег" })
    #expect(olegLead.sender.phone == "+79261112233")
    let ignored = try hub.entries("whatsapp").filter { $0.status == "ignored" }
    #expect(ignored.count == 1)
  }

  @Test("Jivo: offline message, finished chat, callback request once; other events ignored")
  func jivo() async throws {
    let hub = try FormsHarness()
    defer { hub.daemon.remove() }
    try await hub.daemon.start()
    let path = "/hooks/jivo?token=\(FormsHarness.formToken)"
    let offline = try await hub.postJSON(
      path,
      #"{"event_name":"offline_message","widget_id":"AbC123","visitor":{"name":"Дмитрий","email":"dima@example.ru","phone":"+79165556677","number":17,"description":""},"message":"Перезвоните после обеда","page":{"url":"https://example.ru/price","title":"Цены"},"session":{"utm_json":{"source":"google","campaign":"brand"}}}"#
    )
    #expect(offline.status == 200)
    #expect(offline.json["result"] as? String == "ok")
    let accepted = try await hub.postJSON(
      path,
      #"{"event_name":"chat_accepted","chat_id":4411,"widget_id":"AbC123","visitor":{"name":"Елена","number":18},"agent":{"id":1,"name":"Оператор"}}"#
    )
    #expect(accepted.status == 200)
    let finished = try await hub.postJSON(
      path,
      #"{"event_name":"chat_finished","chat_id":4411,"widget_id":"AbC123","visitor":{"name":"Елена","email":"elena@example.ru","number":18},"chat":{"messages":[{"timestamp":1796000000,"type":"visitor","message":"Есть ли скидки для юрлиц?"},{"timestamp":1796000030,"type":"agent","message":"Да"}]},"page":{"url":"https://example.ru/"}}"#
    )
    #expect(finished.status == 200)
    // A callback request (asked for in the same chat, minutes later): Jivo posts each status of
    // the call; only the `start` is the lead, and its re-delivery is a duplicate.
    func callEvent(_ status: String) -> String {
      #"{"event_name":"call_event","chat_id":4411,"widget_id":"AbC123","visitor":{"name":"Павел","number":19},"call":{"type":"callback","phone":"89167778899","status":"\#(status)"}}"#
    }
    for status in ["start", "agent_connected", "start", "end"] {
      let callback = try await hub.postJSON(path, callEvent(status))
      #expect(callback.status == 200, "\(status)")
      #expect(callback.json["result"] as? String == "ok", "\(status)")
    }
    #expect(try await hub.postJSON("/hooks/jivo?token=bad", "{}").status == 401)
    // A finished chat nobody can be reached from: kept as quarantined, still answered
    // {"result": "ok"}, and so is its re-delivery.
    for _ in 0..<2 {
      let unusable = try await hub.postJSON(
        path, #"{"event_name":"chat_finished","chat_id":4413,"widget_id":"AbC123","visitor":{}}"#)
      #expect(unusable.status == 200, "\(unusable.body)")
      #expect(unusable.json["result"] as? String == "ok")
    }

    let inquiries = try hub.inquiries("jivo")
    try #require(inquiries.count == 3)
    #expect(inquiries[0].text == "Перезвоните после обеда")
    #expect(inquiries[0].sender.email == "dima@example.ru")
    #expect(inquiries[0].extra["page.url"] == .string("https://example.ru/price"))
    #expect(inquiries[1].text == "Есть ли скидки для юрлиц?")
    #expect(inquiries[1].sender.email == "elena@example.ru")
    #expect(inquiries[2].sender.phone == "+79167778899")
    #expect(inquiries[2].subject == "Запрос обратного звонка")
    // Each whole: the chat keeps its transcript, the callback its number and subject.
    #expect(inquiries[1].extra["chat.messages"] != nil, "\(inquiries[1].extra)")
    #expect(inquiries.allSatisfy { $0.messages.isEmpty })
    let entries = try hub.entries("jivo")
    #expect(
      entries.filter { $0.status == "ignored" }.count == 3,
      "chat_accepted, and the callback's agent_connected and end")
    #expect(entries.filter { $0.status == "quarantined" }.count == 1)

    // A second callback request in the same chat, for another number, is a request of its
    // own; an incoming call to the Jivo number is a lead at its start, once.
    let other = callEvent("start").replacingOccurrences(of: "89167778899", with: "89031112233")
    #expect(try await hub.postJSON(path, other).status == 200)
    let incoming =
      #"{"event_name":"call_event","chat_id":4420,"widget_id":"AbC123","visitor":{"number":20},"call":{"type":"incoming","phone":"+79265554433","status":"start"}}"#
    for _ in 0..<2 { #expect(try await hub.postJSON(path, incoming).status == 200) }
    // A chat the operator opened with a greeting: the lead's text is the visitor's first words.
    let greeted = try await hub.postJSON(
      path,
      #"{"event_name":"chat_finished","chat_id":4430,"widget_id":"AbC123","visitor":{"name":"Игорь","phone":"+79057778899","number":21},"chat":{"messages":[{"timestamp":1796000000,"type":"agent","message":"Здравствуйте! Чем помочь?"},{"timestamp":1796000020,"type":"visitor","message":"Нужен монтаж кондиционера"}]}}"#
    )
    #expect(greeted.status == 200)
    // Three operator messages (an invitation, a greeting, a system line) before the visitor's.
    let invited = try await hub.postJSON(
      path,
      #"{"event_name":"chat_finished","chat_id":4431,"widget_id":"AbC123","visitor":{"name":"Вера","phone":"+79057778800"},"chat":{"messages":[{"type":"agent","message":"Подсказать с выбором?"},{"type":"agent","message":"Я на связи"},{"type":"system","message":"Посетитель открыл чат"},{"type":"visitor","message":"Сколько стоит доставка в Тверь?"}]}}"#
    )
    #expect(invited.status == 200)
    var later = try hub.inquiries("jivo")
    #expect(later.last?.text == "Сколько стоит доставка в Тверь?")
    later.removeLast()
    #expect(later.last?.text == "Нужен монтаж кондиционера")
    try #require(later.count == 6, "\(later.map(\.text))")
    #expect(later[3].sender.phone == "+79031112233")
    #expect(later[4].sender.phone == "+79265554433")
    #expect(later[4].kind == .call)
    #expect(later[4].subject == "Входящий звонок")
  }
}
