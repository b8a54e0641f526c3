import Foundation
import Testing

@testable import InletCore

/// The form and messenger definitions and the generic features they rely on, without I/O.
struct FormsMessengersDefinitionTests {
  private let processor = HookProcessor()

  private static func instance(
    _ definition: String, secrets: [String: String] = ["token": "t"],
    options: [String: Value] = [:]
  ) throws -> ChannelInstance {
    let url = Fixtures.channelsFolder.appendingPathComponent("\(definition).yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let parsed = try ChannelDefinitionLoader.parse(yaml: text, name: definition, file: url.path)
    return ChannelInstance(
      name: definition, definition: parsed, secrets: ChannelSecrets(secrets), options: options)
  }

  private static func form(_ pairs: [(String, String)], token: String = "t") -> HookRequest {
    let body = pairs.map { FormURLEncoding.encode($0.0) + "=" + FormURLEncoding.encode($0.1) }
      .joined(separator: "&")
    return .post(
      "application/x-www-form-urlencoded", body, query: [(name: "token", value: token)])
  }

  @Test func everyShippedDefinitionLoads() throws {
    let all = try ChannelDefinitionLoader.loadDirectory(Fixtures.channelsFolder)
    for name in [
      "tilda", "elementor", "contact-form-7", "yandex-forms", "google-forms", "telegram", "vk",
      "whatsapp", "jivo",
    ] {
      #expect(all[name] != nil, "\(name)")
    }
  }

  @Test func optionValues() {
    #expect(ChannelOptions.duration("30m") == 1800)
    #expect(ChannelOptions.duration("90") == 90)
    #expect(ChannelOptions.duration("2h") == 7200)
    #expect(ChannelOptions.duration("soon") == nil)
    #expect(RateLimit("10/1m") == RateLimit(requests: 10, period: 60))
    #expect(RateLimit("5/m") == RateLimit(requests: 5, period: 60))
    #expect(RateLimit("100/1h") == RateLimit(requests: 100, period: 3600))
    #expect(RateLimit("0/1m") == nil)
    #expect(RateLimit("many") == nil)
    #expect(ChannelOptions.strings(.array(["a", "b"])) == ["a", "b"])
    #expect(ChannelOptions.strings("a") == ["a"])
  }

  @Test func spamVerdicts() {
    let options: [String: Value] = ["honeypot": "website", "min_fill_seconds": "3"]
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    #expect(SpamCheck.verdict(.object(["name": "A"]), options: options, now: now) == nil)
    #expect(
      SpamCheck.verdict(.object(["Website": "x"]), options: options, now: now)?
        .contains("honeypot") == true)
    #expect(
      SpamCheck.verdict(.object(["website": ""]), options: options, now: now) == nil)
    let fast = Value.object(["form_started_at": .number("1799999999000")])
    #expect(SpamCheck.verdict(fast, options: options, now: now)?.contains("1 s") == true)
    let slow = Value.object(["form_started_at": "1799999990"])
    #expect(SpamCheck.verdict(slow, options: options, now: now) == nil)
    #expect(SpamCheck.verdict(fast, options: [:], now: now) == nil)
    // The visitor's clock runs two minutes ahead: the stamp is from the future, not a bot.
    let ahead = Value.object(["form_started_at": .number("1800000060000")])
    #expect(SpamCheck.verdict(ahead, options: options, now: now) == nil)
    // Eight seconds ahead, filled in ten: with the submit stamped on the same clock it is read
    // as ten seconds, not as the two the server's clock would say.
    let skewed = Value.object([
      "form_started_at": .number("1799999998000"), "form_sent_at": .number("1800000008000"),
    ])
    #expect(SpamCheck.verdict(skewed, options: options, now: now) == nil)
    #expect(
      SpamCheck.verdict(
        .object(["form_started_at": .number("1799999998000")]), options: options,
        now: now)?.contains("2 s") == true, "without the stamp: the server's clock")
    let bot = Value.object([
      "form_started_at": .number("1800000000000"), "form_sent_at": .number("1800000000500"),
    ])
    #expect(SpamCheck.verdict(bot, options: options, now: now)?.contains("s, less than") == true)
    #expect(SpamCheck.fieldNames(options).contains("form_sent_at"))
  }

  @Test func messengerSchemes() {
    let secrets = ChannelSecrets([
      "secret_token": "tg", "secret": "vk", "app_secret": "meta",
    ])
    let telegram = TelegramSecretTokenScheme()
    let signed = HookRequest(
      method: "POST", headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")])
    #expect(
      telegram.authenticate(signed, body: nil, secrets: secrets, parameters: [:]) == .authenticated)
    #expect(
      telegram.authenticate(
        HookRequest(method: "POST"), body: nil, secrets: secrets, parameters: [:])
        != .authenticated)

    let vk = VKSecretScheme()
    let good = DecodedBody(fields: .object(["type": "message_new", "secret": "vk"]))
    let bad = DecodedBody(fields: .object(["type": "message_new", "secret": "nope"]))
    let request = HookRequest(method: "POST")
    #expect(
      vk.authenticate(request, body: good, secrets: secrets, parameters: [:]) == .authenticated)
    #expect(
      vk.authenticate(request, body: bad, secrets: secrets, parameters: [:]) != .authenticated)

    let hub = HubSignature256Scheme()
    let body = Array(#"{"object":"whatsapp_business_account"}"#.utf8)
    let signature = HubSignature256Scheme.signature(body, secret: "meta")
    #expect(signature.hasPrefix("sha256=") && signature.count == 71)
    let metaSigned = HookRequest(
      method: "POST", headers: [(name: "X-Hub-Signature-256", value: signature)], body: body)
    #expect(
      hub.authenticate(metaSigned, body: nil, secrets: secrets, parameters: [:]) == .authenticated)
    var tampered = metaSigned
    tampered.body += Array(" ".utf8)
    #expect(
      hub.authenticate(tampered, body: nil, secrets: secrets, parameters: [:]) != .authenticated)
  }

  @Test func whatsappVerificationChallenge() throws {
    let instance = try Self.instance(
      "whatsapp", secrets: ["app_secret": "meta", "verify_token": "verify-me"])
    let good = HookRequest.get([
      (name: "hub.mode", value: "subscribe"), (name: "hub.challenge", value: "1158201444"),
      (name: "hub.verify_token", value: "verify-me"),
    ])
    let reply = try #require(processor.process(good, for: instance).immediateReply)
    #expect(reply.reply.text?.render(reply.context.resolve) == "1158201444")
    let wrong = HookRequest.get([
      (name: "hub.mode", value: "subscribe"), (name: "hub.challenge", value: "1158201444"),
      (name: "hub.verify_token", value: "guess"),
    ])
    #expect(processor.process(wrong, for: instance).refusal?.status == 403)
  }

  @Test func tildaPingAndTranid() throws {
    let instance = try Self.instance("tilda")
    let ping = processor.process(Self.form([("test", "test")]), for: instance)
    #expect(ping.immediateReply?.reply.status == 200)
    let lead = processor.process(
      Self.form([("Name", "Иван"), ("Phone", "89161234567"), ("tranid", "123:456")]),
      for: instance)
    let submission = try #require(lead.submission)
    #expect(submission.idempotencyKey == "tilda:123:456")
    #expect(submission.inquiry?.sender.phone == "+79161234567")
  }

  /// Labels read by their words, as the site's owner typed them.
  @Test func formLabelKinds() {
    let expected: [(String, FormLabel.Kind?)] = [
      ("Как к вам обращаться?", .name), ("Ваше имя", .name), ("Ф.И.О.", .name),
      ("Ваш телефон для связи", .phone), ("Моб. телефон", .phone), ("WhatsApp", .phone),
      ("E-mail для связи", .email), ("Эл. почта", .email), ("Почтовый адрес", nil),
      ("Название организации", .company), ("ИНН организации", .inn),
      ("Комментарий к заказу", .text), ("Ваш вопрос", .text), ("Текст обращения", .text),
      ("Наименование товара", nil), ("Название формы", nil), ("utm_source", nil),
      ("Страница", nil), ("Город", nil), ("Ваш Телеграм", nil), ("Тел.", .phone),
      ("Ваш номер", .phone), ("Контактный номер", .phone), ("Сотовый", .phone),
      ("Номер заказа", nil), ("Номер договора", nil),
    ]
    for (label, kind) in expected {
      #expect(FormLabel.kind(of: label) == kind, "\(label)")
    }
  }

  /// A Google Form's questions titled as the owner wrote them.
  @Test func googleFormsQuestionTitles() throws {
    let instance = try Self.instance("google-forms")
    let body =
      #"{"response_id":"r1","form_title":"Заявка","Как вас зовут?":"Анна","Ваш WhatsApp":"@anna_k","Телефон для связи":"8 916 765-43-21","Что вас интересует?":"Опт"}"#
    let submission = try #require(
      processor.process(
        HookRequest.post("application/json", body, query: [(name: "token", value: "t")]),
        for: instance
      ).submission)
    #expect(submission.inquiry?.sender.phone == "+79167654321")
    #expect(submission.inquiry?.sender.name == "Анна")
    #expect(submission.inquiry?.extra["Что вас интересует?"] == "Опт")
  }

  /// Elementor's simple mode names fields by their labels; a field sent twice (a phone left
  /// blank, then filled in a second input) is a list: its first value with text counts.
  @Test func phoneByLabelAndRepeatedField() throws {
    let instance = try Self.instance("elementor")
    let numbered = try #require(
      processor.process(
        Self.form([("Имя", "Иван"), ("Ваш номер", "89161234567"), ("Номер заказа", "12345")]),
        for: instance
      ).submission)
    #expect(numbered.inquiry?.sender.phone == "+79161234567")
    #expect(numbered.inquiry?.extra["Номер заказа"] == "12345")
    let generic = try Self.instance("generic", secrets: ["token": "t"])
    let twice = try #require(
      processor.process(
        Self.form([("name", "Иван"), ("phone", ""), ("phone", "+7 916 123-45-67")]),
        for: generic
      ).submission)
    #expect(twice.inquiry?.sender.phone == "+79161234567", "\(String(describing: twice.inquiry))")
    #expect(twice.inquiry?.extra["phone"] == nil)
  }

  @Test func elementorModes() throws {
    let instance = try Self.instance("elementor")
    let advanced = try #require(
      processor.process(
        Self.form([("form[id]", "f1"), ("fields[email][value]", "a@example.ru")]),
        for: instance
      ).submission)
    #expect(advanced.event == "advanced")
    #expect(advanced.inquiry?.sender.email == "a@example.ru")
    let simple = try #require(
      processor.process(Self.form([("E-mail", "b@example.ru"), ("form_id", "f1")]), for: instance)
        .submission)
    #expect(simple.event == "simple")
    #expect(simple.inquiry?.extra["form_id"] == "f1")
  }

  /// A Telegram Mini App's form: its answers (`web_app_data.data`) are the message's text.
  @Test func telegramMiniAppForm() throws {
    let instance = try Self.instance("telegram", secrets: ["secret_token": "tg"])
    let update =
      #"{"update_id":3,"message":{"message_id":3,"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,"web_app_data":{"button_text":"Заявка","data":"{\"phone\":\"+79161234567\",\"item\":\"насос\"}"}}}"#
    let submission = try #require(
      processor.process(
        HookRequest.post(
          "application/json", update,
          headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")]), for: instance
      ).submission)
    #expect(submission.inquiry?.text == #"{"phone":"+79161234567","item":"насос"}"#)
  }

  /// START is a lead with no words yet (its deep link's payload kept); a service message the
  /// Bot API added is no lead; a live location's stream of edits is not even kept.
  @Test func telegramStartServiceMessagesAndLiveLocation() throws {
    let instance = try Self.instance("telegram", secrets: ["secret_token": "tg"])
    func process(_ json: String) -> HookOutcome {
      processor.process(
        HookRequest.post(
          "application/json", json,
          headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")]), for: instance)
    }
    func message(_ update: Int, _ content: String) -> String {
      #"{"update_id":\#(update),"message":{"message_id":\#(update),"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,\#(content)}}"#
    }
    let start = try #require(process(message(1, #""text":"/start site_form""#)).submission)
    #expect(start.event == "start")
    #expect(start.inquiry?.text == nil)
    #expect(start.inquiry?.extra["message.text"] == "/start site_form")
    #expect(start.conversation?.key == "telegram:42")
    #expect(try #require(process(message(2, #""text":"/start""#)).submission).inquiry?.text == nil)
    // `/starting` is words of the person's own.
    #expect(
      try #require(process(message(3, #""text":"/starting soon""#)).submission).inquiry?.text
        == "/starting soon")
    for service in [
      #""chat_background_set":{"type":{"type":"fill"}}"#, #""boost_added":{"boost_count":1}"#,
      #""users_shared":{"request_id":1,"users":[{"user_id":5}]}"#,
      #""giveaway_completed":{"winner_count":1}"#,
    ] {
      let kept = try #require(process(message(4, service)).submission, "\(service)")
      guard case .ignored = kept.disposition else {
        Issue.record("\(service): \(kept.disposition)")
        continue
      }
    }
    let live =
      #"{"update_id":5,"edited_message":{"message_id":9,"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,"edit_date":1800000010,"location":{"latitude":55.75,"longitude":37.61,"live_period":900}}}"#
    guard case .reply = process(live) else {
      Issue.record("a live location's edit was stored")
      return
    }
  }

  /// A number or an address written in a chat message is the sender's, unless a field gave one;
  /// someone else's shared contact is not read for it.
  @Test func contactsWrittenInMessages() throws {
    let telegram = try Self.instance("telegram", secrets: ["secret_token": "tg"])
    func telegramText(_ update: Int, _ content: String) throws -> Inquiry? {
      let json =
        #"{"update_id":\#(update),"message":{"message_id":\#(update),"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,\#(content)}}"#
      return try #require(
        processor.process(
          HookRequest.post(
            "application/json", json,
            headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")]), for: telegram
        ).submission
      ).inquiry
    }
    let written = try telegramText(
      1,
      #""text":"Здравствуйте! Перезвоните 8 (916) 123-45-67 или на почту <Ivan@Romashka.ru>, ИНН 7707083893""#
    )
    #expect(written?.sender.phone == "+79161234567")
    #expect(written?.sender.email == "ivan@romashka.ru")
    let handle = try telegramText(2, #""text":"пишите @ivan_sales, заказ № 1234567890""#)
    #expect(handle?.sender.phone == nil && handle?.sender.email == nil)
    let someoneElse = try telegramText(
      3, #""contact":{"phone_number":"+79031112233","first_name":"Ольга","user_id":77}"#)
    #expect(someoneElse?.sender.phone == nil)
    let vk = try Self.instance("vk", secrets: ["secret": "s", "confirmation": "c"])
    let message = try #require(
      processor.process(
        HookRequest.post(
          "application/json",
          #"{"type":"message_new","group_id":1,"secret":"s","event_id":"e1","object":{"message":{"id":5,"from_id":321,"date":1800000000,"text":"Нужен счёт, мой номер +7 903 765-43-21"}}}"#
        ), for: vk
      ).submission)
    #expect(message.inquiry?.sender.phone == "+79037654321")
  }

  @Test func telegramConversationReference() throws {
    let instance = try Self.instance(
      "telegram", secrets: ["secret_token": "tg"], options: ["conversation_window": "10m"])
    let update =
      #"{"update_id":1,"message":{"message_id":1,"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,"text":"Привет"}}"#
    let request = HookRequest.post(
      "application/json", update,
      headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")])
    let submission = try #require(processor.process(request, for: instance).submission)
    #expect(
      submission.conversation
        == ConversationReference(
          key: "telegram:42", at: Date(timeIntervalSince1970: 1_800_000_000), window: 600))
    #expect(submission.idempotencyKey == "telegram:1")
    #expect(
      submission.inquiry?.sender.messenger == Inquiry.Messenger(network: "telegram", id: "42"))
    #expect(submission.inquiry?.sender.name == "Ян")
    // In a group chat with the bot each person is their own conversation.
    let group =
      #"{"update_id":2,"message":{"message_id":7,"from":{"id":77,"first_name":"Ольга"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"text":"Нужен счёт"}}"#
    let fromGroup = try #require(
      processor.process(
        HookRequest.post(
          "application/json", group,
          headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")]), for: instance
      ).submission)
    #expect(fromGroup.conversation?.key == "telegram:77")
    // Posted on behalf of a channel: `from` is Telegram's placeholder, shared by every such
    // author; the channel it was sent as is the author.
    func asChannel(_ update: Int, channel: Int) -> String {
      #"{"update_id":\#(update),"message":{"message_id":\#(update),"from":{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"},"sender_chat":{"id":\#(channel),"title":"Канал \#(channel)","type":"channel"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"text":"Нужен прайс"}}"#
    }
    var authors: [String] = []
    for (update, channel) in [(10, -1001), (11, -1002)] {
      let posted = try #require(
        processor.process(
          HookRequest.post(
            "application/json", asChannel(update, channel: channel),
            headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")]), for: instance
        ).submission)
      authors.append(posted.conversation?.key ?? "none")
      #expect(posted.inquiry?.sender.messenger?.id == String(channel))
      #expect(posted.inquiry?.sender.name == "Канал \(channel)")
      #expect(posted.inquiry?.text == "Нужен прайс")
    }
    #expect(authors == ["telegram:-1001", "telegram:-1002"])

    func process(_ json: String) -> RawSubmission? {
      processor.process(
        HookRequest.post(
          "application/json", json,
          headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")]), for: instance
      ).submission
    }
    // A Telegram Business account's customer: a lead, in its own conversation.
    let business = try #require(
      process(
        #"{"update_id":3,"business_message":{"business_connection_id":"bc1","message_id":5,"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,"text":"Сколько стоит?"}}"#
      ))
    #expect(business.inquiry?.text == "Сколько стоит?")
    #expect(business.inquiry?.sender.messenger == Inquiry.Messenger(network: "telegram", id: "42"))
    #expect(business.conversation?.key == "telegram:42")
    // The owner's own reply in that chat is no lead.
    let owner = try #require(
      process(
        #"{"update_id":4,"business_message":{"business_connection_id":"bc1","message_id":6,"from":{"id":9,"first_name":"Менеджер"},"chat":{"id":42,"type":"private"},"date":1800000001,"text":"Пришлю счёт"}}"#
      ))
    #expect(owner.inquiry == nil)
    // Service messages and a linked channel's automatic forwards are no leads either.
    for update in [
      #"{"update_id":5,"message":{"message_id":9,"from":{"id":77,"first_name":"Ольга"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"new_chat_members":[{"id":77}]}}"#,
      #"{"update_id":6,"message":{"message_id":10,"from":{"id":777000,"first_name":"Telegram"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"is_automatic_forward":true,"text":"Новости"}}"#,
      #"{"update_id":7,"message":{"message_id":11,"from":{"id":1,"first_name":"Админ"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"pinned_message":{"message_id":10}}}"#,
      #"{"update_id":8,"message":{"message_id":1,"from":{"id":5},"chat":{"id":-100200,"type":"supergroup"},"date":1800000000,"migrate_from_chat_id":-200}}"#,
      #"{"update_id":9,"message":{"message_id":1,"from":{"id":5},"chat":{"id":-200,"type":"group"},"date":1800000000,"group_chat_created":true}}"#,
      // Service messages Telegram sends as an empty object.
      #"{"update_id":10,"message":{"message_id":12,"from":{"id":1,"first_name":"Админ"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"video_chat_started":{}}}"#,
      #"{"update_id":11,"message":{"message_id":13,"from":{"id":1,"first_name":"Админ"},"chat":{"id":-100123,"type":"supergroup"},"date":1800000000,"message_thread_id":5,"forum_topic_closed":{}}}"#,
    ] {
      let service = try #require(process(update))
      #expect(service.inquiry == nil, "\(update)")
    }
  }

  @Test("a message without text says what it was: its caption, or the kind of thing sent")
  func messagesWithoutText() throws {
    let telegram = try Self.instance("telegram", secrets: ["secret_token": "tg"])
    func update(_ content: String) -> String {
      #"{"update_id":1,"message":{"message_id":1,"from":{"id":42,"first_name":"Ян"},"chat":{"id":42,"type":"private"},"date":1800000000,\#(content)}}"#
    }
    for (content, text) in [
      (
        #""voice":{"file_id":"AwAD","duration":7,"mime_type":"audio/ogg"}"#, "[голосовое сообщение]"
      ),
      (#""photo":[{"file_id":"AgAD","width":90,"height":90}]"#, "[фото]"),
      (
        #""photo":[{"file_id":"AgAD","width":90,"height":90}],"caption":"Такой есть?""#,
        "Такой есть?"
      ),
      // A GIF comes as an animation and a document both.
      (#""animation":{"file_id":"CgAD"},"document":{"file_id":"CgAD"}"#, "[GIF]"),
      (#""document":{"file_id":"BQAD","file_name":"ТЗ.pdf"}"#, "[файл]"),
      (
        #""location":{"latitude":55.751244,"longitude":37.618423}"#,
        "[геопозиция] 55.751244, 37.618423"
      ),
      (
        #""location":{"latitude":55.75,"longitude":37.61},"venue":{"location":{"latitude":55.75,"longitude":37.61},"title":"Склад","address":"Москва, ул. Ленина, 1"}"#,
        "[место] Склад, Москва, ул. Ленина, 1"
      ),
      (#""text":"Просто текст""#, "Просто текст"),
    ] {
      let request = HookRequest.post(
        "application/json", update(content),
        headers: [(name: "X-Telegram-Bot-Api-Secret-Token", value: "tg")])
      let submission = try #require(processor.process(request, for: telegram).submission)
      #expect(submission.inquiry?.text == text, "\(content)")
      #expect(submission.inquiry?.sender.messenger?.id == "42")
    }

    let vk = try Self.instance("vk", secrets: ["secret": "vk", "confirmation": "c"])
    func message(_ text: String, _ more: String) -> String {
      #"{"type":"message_new","event_id":"e1","v":"5.199","object":{"message":{"date":1800000000,"from_id":12345,"id":7,"peer_id":12345,"text":"\#(text)"\#(more)}},"group_id":1,"secret":"vk"}"#
    }
    for (body, text) in [
      (
        message("", #","attachments":[{"type":"audio_message","audio_message":{"duration":5}}]"#),
        "[голосовое сообщение]"
      ),
      (message("", #","attachments":[{"type":"photo","photo":{"id":1}}]"#), "[фото]"),
      (message("Вот фото", #","attachments":[{"type":"photo","photo":{"id":1}}]"#), "Вот фото"),
      (
        message("", #","geo":{"type":"point","coordinates":{"latitude":55.7,"longitude":37.6}}"#),
        "[геопозиция]"
      ),
      (message("Привет", ""), "Привет"),
      // Before API 5.103 the message is `object` itself.
      (
        #"{"type":"message_new","event_id":"e2","object":{"date":1800000000,"from_id":12345,"id":8,"text":"","attachments":[{"type":"photo","photo":{"id":1}}]},"group_id":1,"secret":"vk"}"#,
        "[фото]"
      ),
      (
        #"{"type":"message_new","event_id":"e3","object":{"date":1800000000,"from_id":12345,"id":9,"text":"","attachments":[{"type":"audio_message","audio_message":{"duration":3}}]},"group_id":1,"secret":"vk"}"#,
        "[голосовое сообщение]"
      ),
      (
        #"{"type":"message_new","event_id":"e4","object":{"date":1800000000,"user_id":12345,"id":10,"body":"","geo":{"type":"point","coordinates":"55.7 37.6"}},"group_id":1,"secret":"vk"}"#,
        "[геопозиция]"
      ),
      (
        #"{"type":"message_new","event_id":"e5","object":{"date":1800000000,"from_id":12345,"id":11,"text":"","attachments":[{"type":"story","story":{"id":1}}]},"group_id":1,"secret":"vk"}"#,
        "[вложение]"
      ),
    ] {
      let submission = try #require(
        processor.process(HookRequest.post("application/json", body), for: vk).submission)
      #expect(submission.inquiry?.text == text, "\(body)")
      #expect(submission.inquiry?.sender.messenger == Inquiry.Messenger(network: "vk", id: "12345"))
      // One callback server for several communities: each is its own conversation.
      #expect(submission.conversation?.key == "vk:1:12345", "\(body)")
    }
  }

  @Test func whatsAppListRepliesAndVideoCaptions() throws {
    let instance = try Self.instance(
      "whatsapp", secrets: ["app_secret": "s", "verify_token": "v"])
    for (message, text) in [
      (
        #"{"type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"cb","title":"Перезвоните мне"}}}"#,
        "Перезвоните мне"
      ),
      (#"{"type":"video","video":{"caption":"Сколько стоит?"}}"#, "Сколько стоит?"),
    ] {
      let body =
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"1"},"contacts":[{"profile":{"name":"Анна"},"wa_id":"79161234567"}],"messages":[{"from":"79161234567","id":"wamid.\#(text.count)","timestamp":"1800000000",\#(message.dropFirst().dropLast())}]}}]}]}"#
      let request = HookRequest.post(
        "application/json", body,
        headers: [
          (
            name: "X-Hub-Signature-256",
            value: HubSignature256Scheme.signature(Array(body.utf8), secret: "s")
          )
        ])
      let submission = try #require(processor.process(request, for: instance).submission)
      #expect(submission.inquiry?.text == text, "\(body)")
    }
  }

  @Test("a customer writing to two of the company's WhatsApp numbers holds two conversations")
  func whatsAppConversationPerNumber() throws {
    let instance = try Self.instance(
      "whatsapp", secrets: ["app_secret": "s", "verify_token": "v"])
    func conversation(number: String, id: String) throws -> String? {
      let body =
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"7495000000\#(number)","phone_number_id":"\#(number)"},"contacts":[{"profile":{"name":"Анна"},"wa_id":"79161234567"}],"messages":[{"from":"79161234567","id":"\#(id)","timestamp":"1800000000","type":"text","text":{"body":"Здравствуйте"}}]}}]}]}"#
      let request = HookRequest.post(
        "application/json", body,
        headers: [
          (
            name: "X-Hub-Signature-256",
            value: HubSignature256Scheme.signature(Array(body.utf8), secret: "s")
          )
        ])
      return try #require(processor.process(request, for: instance).submission).conversation?.key
    }
    let sales = try conversation(number: "1", id: "wamid.a")
    let support = try conversation(number: "2", id: "wamid.b")
    #expect(sales == "whatsapp:1:79161234567")
    #expect(support == "whatsapp:2:79161234567")
    #expect(try conversation(number: "1", id: "wamid.c") == sales)
  }

  @Test("a WhatsApp message without text says what was sent; reactions and notices are no leads")
  func whatsAppMessagesWithoutText() throws {
    let instance = try Self.instance(
      "whatsapp", secrets: ["app_secret": "s", "verify_token": "v"])
    func process(_ message: String) throws -> RawSubmission {
      let body =
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"74951234567","phone_number_id":"1"},"contacts":[{"profile":{"name":"Анна"},"wa_id":"79161234567"}],"messages":[{"from":"79161234567","id":"wamid.1","timestamp":"1800000000",\#(message)}]}}]}]}"#
      let request = HookRequest.post(
        "application/json", body,
        headers: [
          (
            name: "X-Hub-Signature-256",
            value: HubSignature256Scheme.signature(Array(body.utf8), secret: "s")
          )
        ])
      return try #require(processor.process(request, for: instance).submission)
    }
    for (message, text) in [
      (#""type":"image","image":{"mime_type":"image/jpeg","id":"m1"}"#, "[фото]"),
      (#""type":"image","image":{"caption":"Такой есть?","id":"m1"}"#, "Такой есть?"),
      (
        #""type":"audio","audio":{"mime_type":"audio/ogg; codecs=opus","id":"m2","voice":true}"#,
        "[голосовое сообщение]"
      ),
      (#""type":"audio","audio":{"mime_type":"audio/mpeg","id":"m2","voice":false}"#, "[аудио]"),
      (
        #""type":"sticker","sticker":{"mime_type":"image/webp","id":"m3","animated":false}"#,
        "[стикер]"
      ),
      (#""type":"document","document":{"filename":"ТЗ.pdf","id":"m4"}"#, "[файл]"),
      (
        #""type":"location","location":{"latitude":55.75,"longitude":37.61,"name":"Склад","address":"Москва, ул. Ленина, 1"}"#,
        "[место] Склад, Москва, ул. Ленина, 1"
      ),
      (
        #""type":"location","location":{"latitude":55.75,"longitude":37.61,"address":"Москва, ул. Ленина, 1"}"#,
        "[место] Москва, ул. Ленина, 1"
      ),
      (
        #""type":"location","location":{"latitude":55.751244,"longitude":37.618423}"#,
        "[геопозиция] 55.751244, 37.618423"
      ),
      (
        #""type":"contacts","contacts":[{"name":{"formatted_name":"Иван Петров","first_name":"Иван"},"phones":[{"phone":"+7 903 111-22-33","type":"CELL"}]}]"#,
        "Контакт: Иван Петров +7 903 111-22-33"
      ),
      (
        #""type":"order","order":{"catalog_id":"c1","product_items":[{"product_retailer_id":"sku-1","quantity":2}]}"#,
        "[заказ]"
      ),
      (
        #""type":"order","order":{"catalog_id":"c1","text":"К пятнице","product_items":[]}"#,
        "К пятнице"
      ),
      (
        #""type":"unsupported","errors":[{"code":131051,"title":"Message type unknown"}]"#,
        "[сообщение, которое WhatsApp не передал]"
      ),
    ] {
      let submission = try process(message)
      let inquiry = try #require(submission.inquiry, "\(message)")
      #expect(inquiry.text == text, "\(message)")
      // The sender is whoever wrote, a shared contact's phone is only in the text.
      #expect(inquiry.sender.phone == "+79161234567", "\(message)")
      #expect(inquiry.sender.name == "Анна", "\(message)")
      #expect(inquiry.sender.messenger == Inquiry.Messenger(network: "whatsapp", id: "79161234567"))
    }
    for (message, reason) in [
      (#""type":"reaction","reaction":{"message_id":"wamid.0","emoji":"👍"}"#, "reaction"),
      (
        #""type":"system","system":{"body":"User changed number","new_wa_id":"79160000000","type":"user_changed_number"}"#,
        "changed their number"
      ),
      (#""type":"request_welcome""#, "opened the chat"),
    ] {
      let submission = try process(message)
      #expect(submission.inquiry == nil, "\(message)")
      guard case .ignored(let why) = submission.disposition else {
        Issue.record("\(message): \(submission.disposition)")
        continue
      }
      #expect(why.contains(reason), "\(why)")
    }
    // A click-to-WhatsApp ad: where the lead came from is kept.
    let fromAd = try #require(
      try process(
        #""type":"text","text":{"body":"Здравствуйте"},"referral":{"source_url":"https://fb.me/ad1","source_type":"ad","headline":"Окна -20%"}"#
      ).inquiry)
    #expect(fromAd.text == "Здравствуйте")
    #expect(
      fromAd.extra["entry.0.changes.0.value.messages.0.referral.source_url"]
        == .string("https://fb.me/ad1"))
    #expect(
      fromAd.extra["entry.0.changes.0.value.messages.0.referral.headline"] == .string("Окна -20%"))
  }

  @Test func fileLimits() {
    let small = UploadedFile(field: "f", filename: "a.bin", contentType: "x", data: [1, 2, 3])
    let large = UploadedFile(
      field: "g", filename: "скан.jpg", contentType: "x", data: [1, 2, 3, 4])
    var files = [small, large]
    let over = HookProcessor.limitFiles(&files, options: ["max_file_bytes": "3"])
    #expect(files == [small])
    #expect(over == ["attachments_over_limit": .array([.string("скан.jpg")])])
    files = [small, small, small]
    let past = HookProcessor.limitFiles(&files, options: ["max_files": "1"])
    #expect(files == [small])
    #expect(past == ["attachments_omitted": .number("2")])
    files = [small, large]
    #expect(HookProcessor.limitFiles(&files, options: ["max_file_bytes": "4"]).isEmpty)
    #expect(files.count == 2)
  }

  @Test func aNewMessengerNeedsNoSwift() throws {
    // A provider written as data only: a conversation key and a body-secret scheme.
    let yaml = """
      name: acme-chat
      auth: { scheme: vk-secret, parameters: { field: key } }
      body: { accept: [json] }
      conversation: { key: [chat], at: [ts] }
      kind: message
      fields:
        sender.messenger.network: { value: acme }
        sender.messenger.id: user
        text: body
      """
    let definition = try ChannelDefinitionLoader.parse(yaml: yaml, name: "acme-chat")
    let instance = ChannelInstance(
      name: "acme", definition: definition, secrets: ChannelSecrets(["secret": "k"]))
    let request = HookRequest.post(
      "application/json", #"{"key":"k","chat":"c9","user":"u1","ts":1800000000,"body":"hi"}"#)
    let submission = try #require(processor.process(request, for: instance).submission)
    #expect(submission.conversation?.key == "acme:c9")
    #expect(submission.conversation?.window == ConversationSpec.defaultWindow)
    #expect(submission.inquiry?.text == "hi")
  }

  @Test("`same` wants two present, equal values; `filter` keeps a list's items that belong")
  func sameValuesAndListFilter() throws {
    let yaml = """
      name: acme-pairs
      auth: { scheme: vk-secret, parameters: { field: key } }
      body: { accept: [json] }
      filter:
        - { list: contacts, key: id, equals: message.from }
      reply:
        created: { status: 200, json: {} }
        quarantined: { status: 200, text: "{{raw.id}}" }
      kind: message
      fields:
        sender.messenger.network: { value: acme }
        sender.messenger.id: message.from
        sender.name: contacts.0.name
      events:
        - name: own
          match: { same: [message.card, message.from] }
          fields: { sender.phone: message.phone }
        - name: other
      """
    let definition = try ChannelDefinitionLoader.parse(yaml: yaml, name: "acme-pairs")
    #expect(definition.events[0].match?.needsBody == true)
    #expect(definition.reply?.quarantined?.status == 200)
    let instance = ChannelInstance(
      name: "acme", definition: definition, secrets: ChannelSecrets(["secret": "k"]))
    func submission(_ message: String) throws -> RawSubmission {
      let body =
        #"{"key":"k","contacts":[{"id":"a","name":"Анна"},{"id":"b","name":"Борис"}],"message":"#
        + message + "}"
      return try #require(
        processor.process(HookRequest.post("application/json", body), for: instance).submission)
    }
    let own = try submission(#"{"from":"b","card":"b","phone":"+79161234567"}"#)
    #expect(own.event == "own")
    #expect(own.inquiry?.sender.phone == "+79161234567")
    #expect(own.inquiry?.sender.name == "Борис", "the sender's own contact, not the first")
    #expect(own.replies.quarantined?.text?.source == "{{raw.id}}")
    let another = try submission(#"{"from":"a","card":"b","phone":"+79161234567"}"#)
    #expect(another.event == "other")
    #expect(another.inquiry?.sender.phone == nil)
    #expect(another.inquiry?.sender.name == "Анна")
    let stranger = try submission(#"{"from":"c","phone":"+79161234567"}"#)
    #expect(stranger.event == "other", "a missing value is never the same")
    #expect(stranger.inquiry?.sender.name == nil, "no contact of this sender: no name at all")

    #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(
        yaml: yaml.replacingOccurrences(of: "{{raw.id}}", with: "{{nowhere.id}}"), name: "bad")
    }
    #expect(throws: DefinitionError.self) {
      try ChannelDefinitionLoader.parse(
        yaml: yaml.replacingOccurrences(
          of: "[message.card, message.from]", with: "[message.card]"), name: "bad")
    }
  }

  @Test func perEventIdempotencyAndEmptyTemplates() throws {
    let instance = try Self.instance("jivo")
    func key(_ json: String) throws -> String? {
      let request = HookRequest.post(
        "application/json", json, query: [(name: "token", value: "t")])
      return try #require(processor.process(request, for: instance).submission).idempotencyKey
    }
    #expect(
      try key(#"{"event_name":"chat_finished","chat_id":5,"visitor":{"name":"A"}}"#)
        == "jivo:chat_finished:5")
    // A template none of whose placeholders has a value identifies nothing.
    #expect(try key(#"{"event_name":"offline_message","message":"hi"}"#) == nil)
    #expect(
      try key(#"{"event_name":"offline_message","offline_message_id":"m7","message":"hi"}"#)
        == "jivo:offline:m7")
  }

  @Test func replacingNestedValues() throws {
    let value = Value.object([
      "entry": .array([.object(["messages": .array(["a", "b"])])]), "other": "x",
    ])
    let path = try #require(FieldPath("Entry.0.messages"))
    let replaced = value.replacing(at: path, with: .array(["b"]))
    #expect(replaced.value(at: try #require(FieldPath("entry.0.messages"))) == .array(["b"]))
    #expect(replaced.member("other") == "x")
    #expect(value.replacing(at: try #require(FieldPath("missing.0")), with: "y") == value)
  }

  @Test("split lists level by level; past the limit a request is quarantined, not multiplied")
  func splitLevels() throws {
    let paths = try ["entry", "entry.0.changes", "entry.0.changes.0.value.messages"].map {
      try #require(FieldPath($0))
    }
    func entry(_ messages: [String]) -> Value {
      .object([
        "changes": .array([
          .object(["value": .object(["messages": .array(messages.map { Value.string($0) })])])
        ])
      ])
    }
    let body = Value.object(["entry": .array([entry(["a", "b"]), entry(["c"])])])
    let units = HookProcessor.split(body, along: paths)
    let messages = try #require(FieldPath("entry.0.changes.0.value.messages.0"))
    #expect(units.map { $0.value(at: messages)?.text } == ["a", "b", "c"])
    #expect(
      HookProcessor.split(Value.object(["entry": .array([entry(["x"])])]), along: paths).count == 1)

    let many = (0...HookProcessor.maxSplitItems).map { "wamid.\($0)" }
    let instance = try Self.instance(
      "whatsapp", secrets: ["app_secret": "meta", "verify_token": "v"])
    let json =
      #"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":["#
      + many.map {
        #"{"from":"79161234567","id":""# + $0 + #"","type":"text","text":{"body":"x"}}"#
      }
      .joined(separator: ",") + "]}}]}]}"
    let bytes = Array(json.utf8)
    let request = HookRequest(
      method: "POST",
      headers: [
        (name: "Content-Type", value: "application/json"),
        (
          name: "X-Hub-Signature-256", value: HubSignature256Scheme.signature(bytes, secret: "meta")
        ),
      ], body: bytes)
    let submission = try #require(processor.process(request, for: instance).submission)
    #expect(submission.quarantineFailure?.code == "too_many_items")
  }

  @Test("a channel's secret in a served body is redacted as written, percent-encoded or escaped")
  func secretsRedacted() {
    let secrets = ChannelSecrets(["secret": "a/b+c=d-xyz", "short": "abc"])
    let form = Array("crm_token=a%2Fb%2Bc%3Dd-xyz&cmd=history&x=abc".utf8)
    #expect(
      String(decoding: secrets.redacting(form), as: UTF8.self)
        == "crm_token=[redacted]&cmd=history&x=abc")
    let json = Array(#"{"secret":"a\/b+c=d-xyz","raw":"a/b+c=d-xyz"}"#.utf8)
    #expect(
      String(decoding: secrets.redacting(json), as: UTF8.self)
        == #"{"secret":"[redacted]","raw":"[redacted]"}"#)
  }

  @Test func optionProblems() {
    #expect(ChannelOptions.problem(in: ["rate_limit": "10/1m", "honeypot": "website"]) == nil)
    #expect(
      ChannelOptions.problem(in: ["rate_limit_per_ip": "ten a minute"])?.key == "rate_limit_per_ip")
    #expect(ChannelOptions.problem(in: ["min_fill_seconds": "soon"])?.key == "min_fill_seconds")
    #expect(ChannelOptions.problem(in: ["max_file_bytes": "-1"])?.key == "max_file_bytes")
    #expect(ChannelOptions.problem(in: ["thank_you_url": "example.ru"])?.key == "thank_you_url")
    #expect(
      ChannelOptions.problem(in: ["cors_origins": .array(["example.ru"])])?.key == "cors_origins")
    #expect(ChannelOptions.problem(in: ["cors_origins": .array(["*"])]) == nil)
    #expect(ChannelOptions.problem(in: ["call_timeout": "an hour"])?.key == "call_timeout")
    #expect(ChannelOptions.problem(in: ["call_timeout": "-5m"])?.key == "call_timeout")
    #expect(ChannelOptions.problem(in: ["call_timeout": "0"]) == nil)
    #expect(ChannelOptions.problem(in: ["call_inquiries": .array(["in", "out"])]) == nil)
    #expect(ChannelOptions.problem(in: ["call_inquiries": "internal"]) == nil)
    #expect(
      ChannelOptions.problem(in: ["call_inquiries": .array(["all"])])?.key == "call_inquiries")
    #expect(ChannelOptions.problem(in: ["call_inquiries": .array([])]) == nil, "none queued")
    #expect(ChannelOptions.problem(in: ["call_inquiries": .null]) == nil, "the default")
    #expect(ChannelOptions.callTimeout([:]) == ChannelOptions.defaultCallTimeout)
    #expect(ChannelOptions.callTimeout(["call_timeout": "2h"]) == 7200)
    #expect(ChannelOptions.callTimeout(["call_timeout": "0"]) == nil, "0: never closed by time")
  }

  @Test("fields named as the form builders name them: CF7's tel-715, Elementor's No Label")
  func generatedFieldNames() throws {
    let cf7 = try Self.instance("contact-form-7")
    let numbered = HookRequest.post(
      "application/json",
      #"{"your-name":"Ольга","tel-715":"+7 916 222-33-44","email-42":"Olga@Example.ru","textarea-381":"Нужен счёт","text-9":"Москва"}"#,
      query: [(name: "token", value: "t")])
    let lead = try #require(processor.process(numbered, for: cf7).submission?.inquiry)
    #expect(lead.sender.phone == "+79162223344")
    #expect(lead.sender.email == "olga@example.ru")
    #expect(lead.text == "Нужен счёт")
    #expect(lead.extra["tel-715"] == nil, "taken, not left in extra too")
    #expect(lead.extra["text-9"] == .string("Москва"))
    // A callback form with its phone only is a lead, not a form missing its fields.
    let phoneOnly = HookRequest.post(
      "application/json", #"{"tel-715":"89161112233"}"#, query: [(name: "token", value: "t")])
    #expect(
      processor.process(phoneOnly, for: cf7).submission?.inquiry?.sender.phone == "+79161112233")

    let elementor = try Self.instance("elementor")
    let unlabelled = HookRequest.post(
      "application/x-www-form-urlencoded",
      "form_id=a1b2c3&form_name=Callback&No+Label+name=%D0%9E%D0%BB%D0%B5%D0%B3"
        + "&No+Label+phone=89161112233&No+Label+message=%D0%A1%D1%87%D1%91%D1%82",
      query: [(name: "token", value: "t")])
    let form = try #require(processor.process(unlabelled, for: elementor).submission?.inquiry)
    #expect(form.sender.name == "Олег")
    #expect(form.sender.phone == "+79161112233")
    #expect(form.text == "Счёт")
  }

  @Test func windows1251Forms() throws {
    let instance = try Self.instance("generic")
    // "Иван" and "Счёт" in windows-1251, percent-encoded as a windows-1251 page's form posts them.
    let form = HookRequest.post(
      "application/x-www-form-urlencoded", "%C8%EC%FF=%C8%E2%E0%ED&message=%D1%F7%B8%F2",
      query: [(name: "token", value: "t")])
    let inquiry = try #require(processor.process(form, for: instance).submission?.inquiry)
    #expect(inquiry.sender.name == "Иван")
    #expect(inquiry.text == "Счёт")

    let boundary = "b0undary"
    var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n".utf8)
    body += [0xCE, 0xEB, 0xFC, 0xE3, 0xE0]  // "Ольга"
    body += Array("\r\n--\(boundary)--\r\n".utf8)
    let multipart = HookRequest.post(
      "multipart/form-data; boundary=\(boundary)", bytes: body,
      query: [(name: "token", value: "t")])
    #expect(processor.process(multipart, for: instance).submission?.inquiry?.sender.name == "Ольга")

    // Without the fallback (Tilda posts UTF-8), such a body stays malformed.
    let tilda = try Self.instance("tilda")
    let bad = HookRequest.post(
      "application/x-www-form-urlencoded", "Name=%C8%E2%E0%ED", query: [(name: "token", value: "t")]
    )
    #expect(
      processor.process(bad, for: tilda).submission?.quarantineFailure?.code == "malformed_body")
    // A charset the sender names is honoured everywhere.
    let named = HookRequest.post(
      "application/x-www-form-urlencoded; charset=windows-1251", "Name=%C8%E2%E0%ED",
      query: [(name: "token", value: "t")])
    #expect(processor.process(named, for: tilda).submission?.inquiry?.sender.name == "Иван")
    // And where the sender names UTF-8, or a charset inlet does not read ("Иван" in KOI8-R),
    // the fallback does not apply: kept raw, not stored as "йЧБО".
    for (contentType, code) in [
      ("application/x-www-form-urlencoded; charset=utf-8", "malformed_body"),
      ("application/x-www-form-urlencoded; charset=koi8-r", "unsupported_media_type"),
    ] {
      let declared = HookRequest.post(
        contentType, "name=%E9%D7%C1%CE&phone=%2B79161234567",
        query: [(name: "token", value: "t")])
      let kept = processor.process(declared, for: instance).submission
      #expect(kept?.quarantineFailure?.code == code, "\(contentType)")
      #expect(kept?.inquiry == nil)
    }
    // A charset inlet does not read is no matter when the form is ASCII (Java clients label
    // theirs ISO-8859-1).
    let latin = HookRequest.post(
      "application/x-www-form-urlencoded; charset=ISO-8859-1", "name=Ivan&phone=%2B79161234567",
      query: [(name: "token", value: "t")])
    #expect(processor.process(latin, for: instance).submission?.inquiry?.sender.name == "Ivan")
  }
}
