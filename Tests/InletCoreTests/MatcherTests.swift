import Foundation
import Testing

@testable import InletCore

/// The matching rules, each outcome and their precedence, table-driven over an in-memory
/// directory.
@Suite("Matching")
struct MatcherTests {
  static func date(_ text: String) -> Date { DirectoryDate.parse(text)! }

  /// c1 has open interests (i1 is Ivan's, p1), c2 only a closed one, c3 is a potential client with an invalid INN,
  /// c4 has none, c5's contacts share an office phone.
  static let directory = InMemoryDirectory(
    clients: [
      DirectoryClient(
        id: "c1", name: "ООО Ромашка", inn: "7707083893", domains: ["Romashka.RU"],
        phones: ["+7 (495) 111-22-33"]),
      DirectoryClient(
        id: "c2", name: "ООО Лютик", inn: "5001007329", domains: ["lutik.ru", "mail.ru"]),
      DirectoryClient(
        id: "c3", name: "ИП Сидоров", inn: "7707083894", domains: ["sidorov.ru"], potential: true),
      DirectoryClient(id: "c4", name: "Газпром", inn: "7736010018", domains: ["www.gazprom.ru"]),
      DirectoryClient(id: "c5", name: "Колл-центр", inn: "500100732259"),
      DirectoryClient(id: "c6", name: "Бизнес-центр", phones: ["+7 495 777-00-00"]),
      DirectoryClient(id: "c7", name: "ООО Вектор", inn: "7701234560", kpp: "770101001"),
      DirectoryClient(id: "c8", name: "ООО Вектор (филиал)", inn: "7701234560", kpp: "502701001"),
      // No `domains`, as a 1C card has none: its own and its people's e-mails tell it.
      DirectoryClient(id: "c9", name: "ООО Стройрынок", emails: ["info@stroyrynok.ru"]),
      DirectoryClient(id: "c10", name: "ООО Сайт", domains: ["https://www.Sait-Firmy.ru/kontakty"]),
      // Two clients' own addresses on one provider's domain (no client lists it).
      DirectoryClient(id: "c11", name: "ООО Альфа", emails: ["alfa@hosting-mail.ru"]),
      DirectoryClient(id: "c12", name: "ООО Бета", emails: ["beta@hosting-mail.ru"]),
      // A private buyer (B2C): the client is the person.
      DirectoryClient(
        id: "c13", name: "Петров Пётр", inn: "772158349022", domains: ["petrov-family.ru"],
        emails: ["Petrov.Home@mail.ru"], phones: ["+7 903 555-66-77"], person: true),
      // The same, but an organisation: its own phone is its switchboard.
      DirectoryClient(id: "c14", name: "ООО Кедр", phones: ["+7 495 333-44-55"]),
      DirectoryClient(
        id: "c15", name: "ООО Сосна", emails: ["info@sosna.ru"], phones: ["+7 495 444-55-66"]),
      DirectoryClient(
        id: "c16", name: "Сидорова Анна", emails: ["anna.s@yandex.ru"],
        phones: ["+7 916 777-88-99"], person: true),
      DirectoryClient(
        id: "c17", name: "Орлов Олег", phones: ["+7 916 111-22-33"], person: true),
    ],
    contacts: [
      DirectoryContact(
        id: "p1", clientID: "c1", name: "Иван Петров", emails: ["Ivan@Romashka.ru"],
        phones: ["8 916 123-45-67"], messengers: ["Telegram:1001", "tg:@Ivan_P"]),
      DirectoryContact(id: "p2", clientID: "c2", name: "Анна", emails: ["anna@gmail.com"]),
      DirectoryContact(id: "p3", clientID: "c4", name: "Олег", phones: ["+7 916 000-00-01"]),
      DirectoryContact(id: "p4", name: "Вольный", emails: ["free@yandex.ru"]),
      DirectoryContact(id: "p5", clientID: "c5", phones: ["+7 495 000-00-00"]),
      DirectoryContact(id: "p6", clientID: "c5", phones: ["+7 495 000-00-00"]),
      DirectoryContact(id: "p7", clientID: "c5", phones: ["+7 495 000-00-00"]),
      DirectoryContact(id: "p8", clientID: "c1", emails: ["office@shared.ru"]),
      DirectoryContact(id: "p9", clientID: "c4", emails: ["office@shared.ru"]),
      DirectoryContact(id: "p10", clientID: "c2", phones: ["+7 495 222-33-44 доб. 101"]),
      DirectoryContact(id: "p11", clientID: "c4", phones: ["+7 495 777-00-00"]),
      DirectoryContact(id: "p12", clientID: "c-deleted", emails: ["left@behind.ru"]),
      DirectoryContact(id: "p13", clientID: "c2", messengers: ["Telegram: https://t.me/Olga_K"]),
      // A person's domain is no key: only a client's own e-mail or `domains` name it.
      DirectoryContact(id: "p14", clientID: "c7", emails: ["anna@vektor-group.ru"]),
      DirectoryContact(id: "p18", clientID: "c9", emails: ["Ivan.Petrov@yandex.ru"]),
      DirectoryContact(id: "p19", clientID: "c6", emails: ["Olga.K+crm@gmail.com"]),
      DirectoryContact(id: "p20", clientID: "c9", emails: ["zakaz+ivan@stroyrynok.ru"]),
      // The switchboard and the shared mailbox copied onto the secretary's card.
      DirectoryContact(
        id: "p21", clientID: "c15", emails: ["info@sosna.ru"], phones: ["+7 495 444-55-66"]),
      DirectoryContact(id: "p22", clientID: "c15", emails: ["director@sosna.ru"]),
      // A person client's own phone on a contact card of it: the same person.
      DirectoryContact(id: "p23", clientID: "c16", phones: ["+7 916 777-88-99"]),
      // A person client's phone on a card of his own and on a contact of another client.
      DirectoryContact(id: "p24", clientID: "c17", phones: ["+7 916 111-22-33"]),
      DirectoryContact(id: "p25", clientID: "c2", phones: ["+7 916 111-22-33"]),
    ],
    interests: [
      // Ivan's own deal: listed first when he writes, by date otherwise.
      DirectoryInterest(
        id: "i1", clientID: "c1", contactID: "p1", status: .open, updatedAt: date("2026-10-01")),
      DirectoryInterest(id: "i2", clientID: "c1", status: .open, updatedAt: date("2026-11-01")),
      DirectoryInterest(id: "i3", clientID: "c1", status: .closed, updatedAt: date("2026-11-20")),
      DirectoryInterest(id: "i4", clientID: "c2", status: .closed, updatedAt: date("2026-11-20")),
    ])

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var email: String? = nil
    var phone: String? = nil
    var telegram: String? = nil
    var telegramUsername: String? = nil
    var inn: String? = nil
    var maxMatches = 20
    var client: String? = nil
    var contact: String? = nil
    var by: [String] = []
    var conflicts: [String] = []
    var action: SuggestedAction
    var interests: [String] = []
    var potential = false
    var knownContact = false
    var candidates: [Inquiry.Match.Candidate] = []

    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "e-mail → contact and client; open interests win, the contact's own first",
      email: "ivan@romashka.ru", client: "c1", contact: "p1", by: ["email", "domain"],
      action: .interactionOnInterest, interests: ["i1", "i2"], knownContact: true),
    Case(
      name: "only closed interests: existing_contact, closed ones never listed",
      email: "anna@gmail.com", client: "c2", contact: "p2", by: ["email"],
      action: .existingContact, knownContact: true),
    Case(
      name: "phone → contact", phone: "+79160000001", client: "c4", contact: "p3", by: ["phone"],
      action: .existingContact, knownContact: true),
    Case(
      name: "phone → client when no contact has it", phone: "+74951112233", client: "c1",
      by: ["phone"], action: .interactionOnInterest, interests: ["i2", "i1"]),
    Case(
      name: "messenger id → contact", telegram: "1001", client: "c1", contact: "p1",
      by: ["messenger"], action: .interactionOnInterest, interests: ["i1", "i2"],
      knownContact: true),
    Case(
      name: "INN → client: new_contact_of_client", inn: "7736010018", client: "c4", by: ["inn"],
      action: .newContactOfClient),
    Case(
      name: "corporate domain → client (www. and case ignored)", email: "petr@gazprom.ru",
      client: "c4", by: ["domain"], action: .newContactOfClient),
    Case(
      name: "a contact's domain alone names no client",
      email: "petr@vektor-group.ru", action: .newClient, potential: true),
    Case(
      name: "a domain no client lists: the client whose own address is there",
      email: "director@stroyrynok.ru", client: "c9", by: ["domain"], action: .newContactOfClient),
    Case(
      name: "a website's address in `domains` is its host",
      email: "sales@sait-firmy.ru", client: "c10", by: ["domain"], action: .newContactOfClient),
    Case(
      name: "two clients' own addresses on one domain no list knows: a mail service, no evidence",
      email: "new@hosting-mail.ru", action: .newClient, potential: true),
    Case(
      name: "one Yandex mailbox under another alias: the contact",
      email: "ivan-petrov@ya.ru", client: "c9", contact: "p18", by: ["email"],
      action: .existingContact, knownContact: true),
    Case(
      name: "one Gmail mailbox without its dots and tag, at googlemail.com: the contact",
      email: "olgak@googlemail.com", client: "c6", contact: "p19", by: ["email"],
      action: .existingContact, knownContact: true),
    Case(
      name: "another tag of a Gmail mailbox is the same person",
      email: "olga.k+tender@gmail.com", client: "c6", contact: "p19", by: ["email"],
      action: .existingContact, knownContact: true),
    Case(
      name: "another tag of a company's shared mailbox is another person: only the company",
      email: "zakaz+olga@stroyrynok.ru", client: "c9", by: ["domain"],
      action: .newContactOfClient),
    Case(
      name: "a +tag on a corporate address: the contact as written without it",
      email: "ivan+tender@romashka.ru", client: "c1", contact: "p1", by: ["email", "domain"],
      action: .interactionOnInterest, interests: ["i1", "i2"], knownContact: true),
    Case(
      name: "a potential client stays flagged", email: "boss@sidorov.ru", client: "c3",
      by: ["domain"], action: .newContactOfClient, potential: true),
    Case(
      name: "free-mail domain never matches, even when a client lists it",
      email: "someone@mail.ru", action: .newClient, potential: true),
    Case(
      name: "an invalid INN is never used", inn: "7707083894", action: .newClient,
      potential: true),
    Case(
      name: "nothing known: new_client", email: "new@example.org", phone: "+79990001122",
      action: .newClient, potential: true),
    Case(
      name: "criteria pointing at different clients: the strongest wins, the other is a conflict",
      email: "ivan@romashka.ru", inn: "7736010018", client: "c1", contact: "p1",
      by: ["email", "domain"], conflicts: ["inn"], action: .interactionOnInterest,
      interests: ["i1", "i2"], knownContact: true),
    Case(
      name: "one criterion pointing at two clients is a conflict, not a guess: both are candidates",
      email: "office@shared.ru", conflicts: ["email"], action: .existingContact,
      knownContact: true,
      candidates: [.init(clientID: "c1", contactID: "p8"), .init(clientID: "c4", contactID: "p9")]),
    Case(
      name: "an INN shared by a head office and its branch: candidates, never a new client",
      inn: "7701234560", conflicts: ["inn"], action: .newContactOfClient,
      candidates: [.init(clientID: "c7"), .init(clientID: "c8")]),
    Case(
      name: "an ambiguous criterion is settled by another one",
      email: "office@shared.ru", inn: "7736010018", client: "c4", contact: "p9",
      by: ["email", "inn"], conflicts: ["email"], action: .existingContact,
      knownContact: true),
    Case(
      name: "a shared phone under the threshold finds the client, not a person",
      phone: "+74950000000", client: "c5", by: ["phone"], action: .newContactOfClient,
      knownContact: true),
    Case(
      name: "the threshold counts clients: an office phone on three contacts of one finds it",
      phone: "+74950000000", maxMatches: 2, client: "c5", by: ["phone"],
      action: .newContactOfClient, knownContact: true),
    Case(
      name: "a criterion pointing at more clients than the threshold is not used, and said",
      email: "office@shared.ru", maxMatches: 1, conflicts: ["email"], action: .newClient,
      potential: true),
    Case(
      name: "a Telegram username finds the contact the CRM knows by its @name or t.me link",
      telegram: "777000111", telegramUsername: "olga_k", client: "c2", contact: "p13",
      by: ["messenger"], action: .existingContact, knownContact: true),
    Case(
      name: "the id and the username of one contact: the criterion is listed once",
      telegram: "1001", telegramUsername: "ivan_p", client: "c1", contact: "p1",
      by: ["messenger"], action: .interactionOnInterest, interests: ["i1", "i2"],
      knownContact: true),
    Case(
      name: "a contact without a client", email: "free@yandex.ru", contact: "p4", by: ["email"],
      action: .existingContact, knownContact: true),
    Case(
      name: "a contact whose client is not in the directory names no client",
      email: "left@behind.ru", contact: "p12", by: ["email"], action: .existingContact,
      knownContact: true),
    Case(
      name: "a contact's number with an extension is the office's: it finds the client only",
      phone: "+74952223344", client: "c2", by: ["phone"], action: .newContactOfClient),
    Case(
      name: "a phone on one client's record and another client's contact is a conflict",
      phone: "+74957770000", client: "c4", contact: "p11", by: ["phone"], conflicts: ["phone"],
      action: .existingContact, knownContact: true),
    Case(
      name: "a person client's own e-mail is the sender: existing_contact, not a new contact",
      email: "petrov.home@mail.ru", client: "c13", by: ["email"], action: .existingContact),
    Case(
      name: "a person client's own phone is the sender", phone: "+79035556677", client: "c13",
      by: ["phone"], action: .existingContact),
    Case(
      name: "a person client's own INN is the sender", inn: "772158349022", client: "c13",
      by: ["inn"], action: .existingContact),
    Case(
      name: "a person client's domain is someone else there (the family's): a new contact",
      email: "wife@petrov-family.ru", client: "c13", by: ["domain"],
      action: .newContactOfClient),
    Case(
      name: "an organisation's own phone: someone at it, a new contact",
      phone: "+74953334455", client: "c14", by: ["phone"], action: .newContactOfClient),
    Case(
      name: "an organisation's number on one contact's card too is its switchboard: the client",
      phone: "+74954445566", client: "c15", by: ["phone"], action: .newContactOfClient,
      knownContact: true),
    Case(
      name: "an organisation's shared mailbox on one contact's card too: the client",
      email: "info@sosna.ru", client: "c15", by: ["email", "domain"],
      action: .newContactOfClient, knownContact: true),
    Case(
      name: "the switchboard does not hide the contact another criterion finds",
      email: "director@sosna.ru", phone: "+74954445566", client: "c15", contact: "p22",
      by: ["email", "phone", "domain"], action: .existingContact, knownContact: true),
    Case(
      name: "a person client's phone on a contact card of it is that person",
      phone: "+79167778899", client: "c16", contact: "p23", by: ["phone"],
      action: .existingContact, knownContact: true),
    Case(
      name:
        "a person client's phone on his contact card and at another client: both, with contacts",
      phone: "+79161112233", conflicts: ["phone"], action: .existingContact, knownContact: true,
      candidates: [
        .init(clientID: "c17", contactID: "p24"), .init(clientID: "c2", contactID: "p25"),
      ]
    ),
    Case(
      name: "a personal free-mail address and another company's INN: the INN names the company",
      email: "anna@gmail.com", inn: "7736010018", client: "c4", by: ["inn"],
      conflicts: ["email"], action: .newContactOfClient, knownContact: true),
    Case(
      name: "a personal free-mail address and its own company's INN: the contact",
      email: "anna@gmail.com", inn: "5001007329", client: "c2", contact: "p2",
      by: ["inn", "email"], action: .existingContact, knownContact: true),
  ]

  @Test(arguments: cases)
  func rule(_ c: Case) throws {
    var sender = Inquiry.Sender(email: c.email, phone: c.phone)
    if c.telegram != nil || c.telegramUsername != nil {
      sender.messenger = .init(network: "telegram", id: c.telegram, username: c.telegramUsername)
    }
    let matcher = Matcher(rules: MatchingRules(maxMatches: c.maxMatches))
    let result = try matcher.match(
      sender: sender, company: c.inn.map { Inquiry.Company(inn: $0) }, in: Self.directory)
    #expect(result.match.clientID == c.client)
    #expect(result.match.contactID == c.contact)
    #expect(result.match.by == c.by)
    #expect(result.match.conflicts == c.conflicts)
    #expect(result.match.suggestedAction == c.action)
    #expect(result.match.interestIDs == c.interests)
    #expect(result.match.potentialClient == c.potential)
    #expect(result.knownContact == c.knownContact)
    #expect(result.match.candidates == c.candidates)
  }

  @Test("the free-mail list is configurable")
  func configurableFreeMail() throws {
    let rules = MatchingRules(freeMailDomains: ["gazprom.ru"])
    let sender = Inquiry.Sender(email: "petr@gazprom.ru")
    let configured = try Matcher(rules: rules).match(
      sender: sender, company: nil, in: Self.directory)
    #expect(configured.match.clientID == nil)
    // With the list replaced, mail.ru is no longer free: c2 lists it.
    let mailRu = try Matcher(rules: rules).match(
      sender: Inquiry.Sender(email: "x@mail.ru"), company: nil, in: Self.directory)
    #expect(mailRu.match.clientID == "c2")
    #expect(MatchingRules().isFreeMail("gmail.com"))
    #expect(MatchingRules().isFreeMail("yandex.ru"))
    #expect(!MatchingRules().isFreeMail("romashka.ru"))
    // Entries as an administrator writes them compare as senders' domains do.
    let written = MatchingRules(freeMailDomains: ["@bk.ru", " BK.RU ", "xn--80a1acny.xn--p1ai"])
    #expect(written.isFreeMail("bk.ru"))
    #expect(written.isFreeMail("почта.рф"))
  }

  @Test("re-matching after a directory update sees the new records")
  func afterUpdate() throws {
    var directory = Self.directory
    let sender = Inquiry.Sender(email: "new@example.org")
    #expect(try Matcher().match(sender: sender, company: nil, in: directory).match.clientID == nil)
    directory.upsert(DirectoryClient(id: "c9", domains: ["example.org"]))
    directory.upsert(DirectoryContact(id: "p9x", clientID: "c9", emails: ["new@example.org"]))
    let first = try Matcher().match(sender: sender, company: nil, in: directory)
    #expect(first.match.contactID == "p9x")
    #expect(first.match.suggestedAction == .existingContact)
    directory.upsert(DirectoryInterest(id: "i9", clientID: "c9", status: .open))
    let second = try Matcher().match(sender: sender, company: nil, in: directory)
    #expect(second.match.suggestedAction == .interactionOnInterest)
    #expect(second.match.interestIDs == ["i9"])
    // The contact moves its address: the old one no longer finds it.
    directory.upsert(DirectoryContact(id: "p9x", clientID: "c9", emails: ["other@example.org"]))
    let third = try Matcher().match(sender: sender, company: nil, in: directory)
    #expect(third.match.contactID == nil)
    #expect(third.match.clientID == "c9")
    #expect(third.match.by == ["domain"])
  }

  @Test("messenger values: ids as written; usernames, t.me links and tg: compared as one")
  func messengerValues() {
    #expect(DirectoryNormalizer.messenger(" Telegram : 5123456789 ") == "telegram:5123456789")
    #expect(DirectoryNormalizer.messenger("tg:@Ivan_P") == "telegram:@ivan_p")
    #expect(DirectoryNormalizer.messenger("telegram:https://t.me/Ivan_P") == "telegram:@ivan_p")
    #expect(DirectoryNormalizer.messenger("Telegram: t.me/ivan_p") == "telegram:@ivan_p")
    #expect(DirectoryNormalizer.messenger("whatsapp:79161234567") == "whatsapp:79161234567")
    #expect(DirectoryNormalizer.messenger("telegram:@") == nil)
    #expect(DirectoryNormalizer.messenger("no colon") == nil)
  }

  @Test("directory values are normalised; an invalid INN is kept, flagged and not a key")
  func normalisation() {
    let normalizer = DirectoryNormalizer()
    let (client, keys) = normalizer.normalize(
      DirectoryClient(
        id: " c3 ", name: " ИП ", inn: "7707083894",
        domains: ["@XN--80ATJC.XN--P1AI", "bad domain"],
        emails: ["Boss@Sidorov.RU", "not-an-email"], phones: ["8 (916) 123-45-67"]))
    #expect(client.id == "c3")
    #expect(client.inn == "7707083894")
    #expect(client.innValid == false)
    #expect(client.name == "ИП")
    #expect(client.domains == ["окна.рф", "bad domain"])
    #expect(client.emails == ["boss@sidorov.ru", "not-an-email"])
    #expect(client.phones == ["+79161234567"])
    #expect(
      Set(keys)
        == [
          DirectoryKey(.domain, "окна.рф"), DirectoryKey(.email, "boss@sidorov.ru"),
          DirectoryKey(.emailDomain, "sidorov.ru"), DirectoryKey(.phone, "+79161234567"),
        ])
    // A public mail service's domain is no key; a website's address is its host.
    let (mailRu, mailRuKeys) = normalizer.normalize(
      DirectoryClient(
        id: "c4",
        domains: [
          "https://www.Romashka.ru/kontakty?x=1", "romashka.ru.", "http://shop.romashka.ru:8080",
          "https://vk.com/romashka",
        ], emails: ["firm@Mail.ru", "info@romashka.ru, buh@romashka.ru"]))
    // A page on a platform is kept as sent, no key; a cell of two addresses gives no domain.
    #expect(mailRu.domains == ["romashka.ru", "shop.romashka.ru", "https://vk.com/romashka"])
    #expect(!mailRuKeys.contains { $0.value == "vk.com" })
    #expect(!mailRuKeys.contains { $0.kind == DirectoryKey.Kind.emailDomain })
    // A contact's number with an extension keeps it and is the office's key, not the person's.
    let (secretary, secretaryKeys) = normalizer.normalize(
      DirectoryContact(id: " p1 ", clientID: " c1 ", phones: ["+7 495 123-45-67 доб. 123"]))
    #expect(secretary.id == "p1")
    #expect(secretary.clientID == "c1")
    #expect(secretary.phones == ["+74951234567;ext=123"])
    #expect(secretaryKeys == [DirectoryKey(.officePhone, "+74951234567")])
    #expect(normalizer.normalize(secretary).0.phones == secretary.phones)
    #expect(PhoneNormalizer.extensionDigits("8 (495) 123-45-67 ext. 45") == "45")
    #expect(PhoneNormalizer.extensionDigits("+7 495 123-45-67") == nil)
    // Set off by a comma or in brackets, as signatures and CRM cards write it.
    for written in ["+7 (495) 123-45-67, доб. 123", "+7 (495) 123-45-67 (доб. 123)"] {
      let (office, officeKeys) = normalizer.normalize(
        DirectoryContact(id: "p9", clientID: "c1", phones: [written]))
      #expect(office.phones == ["+74951234567;ext=123"], "\(written)")
      #expect(officeKeys == [DirectoryKey(.officePhone, "+74951234567")], "\(written)")
      #expect(PhoneNormalizer.extensionDigits(written) == "123", "\(written)")
    }
    // A second number after a comma is no extension.
    #expect(PhoneNormalizer().normalize("+7 495 123-45-67, +7 916 123-45-67") == nil)
    #expect(normalizer.normalize(DirectoryInterest(id: " i1 ")).id == "i1")
    let (valid, validKeys) = normalizer.normalize(DirectoryClient(id: "c1", inn: "77 0708 3893"))
    #expect(valid.innValid == true)
    #expect(validKeys == [DirectoryKey(.inn, "7707083893")])
    // Region 02 as a spreadsheet number: the dropped leading zero is put back when that makes
    // a valid INN, and only then.
    let (bashkir, bashkirKeys) = normalizer.normalize(DirectoryClient(id: "c2", inn: "274062111"))
    #expect(bashkir.inn == "0274062111")
    #expect(bashkir.innValid == true)
    #expect(bashkirKeys == [DirectoryKey(.inn, "0274062111")])
    // An «ИНН/КПП» column or dashes: read as an inquiry's INN is, or the client is never found.
    for written in ["7707083893/770701001", "7707-083-893", "ИНН 7707083893"] {
      let (client, keys) = normalizer.normalize(DirectoryClient(id: "c6", inn: written))
      #expect(client.inn == "7707083893", "\(written)")
      #expect(client.innValid == true, "\(written)")
      #expect(keys == [DirectoryKey(.inn, "7707083893")], "\(written)")
    }
    let (wrong, wrongKeys) = normalizer.normalize(DirectoryClient(id: "c5", inn: "274062112"))
    #expect(wrong.inn == "274062112")
    #expect(wrong.innValid == false)
    #expect(wrongKeys.isEmpty)
  }
}
