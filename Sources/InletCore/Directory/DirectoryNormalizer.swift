import Foundation

/// Normalises directory records on the way in and lists the keys each can be found by.
///
/// A value that does not normalise (a mistyped e-mail, a phone without enough digits) is kept in
/// the record as sent, so the CRM's data is not silently altered, but it is not a key: it could
/// only ever produce false matches.
public struct DirectoryNormalizer: Sendable {
  public let phone: PhoneNormalizer

  public init(phone: PhoneNormalizer = PhoneNormalizer()) {
    self.phone = phone
  }

  /// A client with normalised values and its keys.
  public func normalize(_ client: DirectoryClient) -> (DirectoryClient, [DirectoryKey]) {
    var client = client
    var keys: [DirectoryKey] = []
    client.id = Self.trimmed(client.id) ?? client.id
    client.name = Self.trimmed(client.name)
    client.kpp = Self.trimmed(client.kpp)
    if let raw = Self.trimmed(client.inn) {
      var digits = INN.normalize(raw)
      // Read as an inquiry's INN is (INN.read), or a known client is a new one to every lead
      // naming it: an «ИНН/КПП» column (`7707083893/770701001`), dashes (`7707-083-893`), a
      // label, or the leading zero of regions 01–09 that a spreadsheet or a JSON number drops.
      if digits.map(INN.isValid) != true, let read = INN.read(raw) { digits = read }
      let valid = digits.map(INN.isValid) ?? false
      client.inn = digits ?? raw
      client.innValid = valid
      if valid, let digits { keys.append(DirectoryKey(.inn, digits)) }
    } else {
      client.inn = nil
      client.innValid = nil
    }
    client.emails = normalizeEmails(client.emails, into: &keys)
    client.phones = normalizePhones(client.phones, office: .phone, into: &keys)
    let domains = Self.normalizedDomains(client.domains)
    client.domains = domains.values
    keys += domains.keys
    // Of the addresses that normalised (a cell of two addresses is no address).
    Self.addEmailDomains(
      of: keys.filter { $0.kind == .email }.map(\.value), listed: client.domains, to: &keys)
    return (client, Self.unique(keys))
  }

  /// A contact with normalised values and its keys.
  public func normalize(_ contact: DirectoryContact) -> (DirectoryContact, [DirectoryKey]) {
    var contact = contact
    var keys: [DirectoryKey] = []
    contact.id = Self.trimmed(contact.id) ?? contact.id
    contact.name = Self.trimmed(contact.name)
    contact.clientID = Self.trimmed(contact.clientID)
    contact.emails = normalizeEmails(contact.emails, into: &keys)
    contact.phones = normalizePhones(contact.phones, office: .officePhone, into: &keys)
    contact.messengers = Self.unique(
      contact.messengers.compactMap { raw -> String? in
        guard let key = Self.messenger(raw) else { return Self.listValue(raw) }
        keys.append(DirectoryKey(.messenger, key))
        return key
      })
    return (contact, Self.unique(keys))
  }

  /// An interest with trimmed ids (interests are found by client, not by keys).
  public func normalize(_ interest: DirectoryInterest) -> DirectoryInterest {
    var interest = interest
    interest.id = Self.trimmed(interest.id) ?? interest.id
    interest.clientID = Self.trimmed(interest.clientID)
    interest.contactID = Self.trimmed(interest.contactID)
    interest.title = Self.trimmed(interest.title)
    interest.stage = Self.trimmed(interest.stage)
    return interest
  }

  /// A client's `domains` as stored (normalised where they normalise, else as sent) and the
  /// domain keys of those that did.
  public static func normalizedDomains(_ raw: [String]) -> (values: [String], keys: [DirectoryKey])
  {
    var keys: [DirectoryKey] = []
    let values = unique(
      raw.compactMap { raw -> String? in
        guard let domain = domain(raw) else { return listValue(raw) }
        keys.append(DirectoryKey(.domain, domain))
        return domain
      })
    return (values, keys)
  }

  /// Sites where a company has a page, not a domain of its own: `vk.com/romashka` in a 1C
  /// card's «Сайт» field is no domain of the client's.
  static let platformHosts: Set<String> = [
    "vk.com", "m.vk.com", "vkontakte.ru", "ok.ru", "t.me", "telegram.me", "wa.me",
    "instagram.com", "facebook.com", "fb.com", "twitter.com", "x.com", "youtube.com",
    "tiktok.com", "dzen.ru", "zen.yandex.ru", "hh.ru", "avito.ru", "2gis.ru", "yandex.ru",
    "google.com", "ozon.ru", "wildberries.ru", "tilda.ws", "wixsite.com", "taplink.cc",
    "rusprofile.ru", "list-org.com",
  ]

  /// The domains of a client's own `emails` (normalised addresses) as
  /// ``DirectoryKey/Kind/emailDomain`` keys, but a public mail service's (`mail.ru` says nothing
  /// of an employer) and those the client lists in `domains` already.
  ///
  /// A client's only: its contacts' domains would be a million more keys in a large import
  /// (import 25% slower, measured), so a colleague of a known contact is found by the domain
  /// only through the client card's own address (1C's «Email» of the company) or `domains`.
  public static func addEmailDomains(
    of emails: [String], listed: [String], to keys: inout [DirectoryKey]
  ) {
    for email in emails {
      guard let domain = domain(ofEmail: email), !MatchingRules.shippedFreeMail.contains(domain),
        !listed.contains(domain)
      else { continue }
      keys.append(DirectoryKey(.emailDomain, domain))
    }
  }

  /// The domain part of a normalised address.
  public static func domain(ofEmail email: String) -> String? {
    guard let at = email.lastIndex(of: "@") else { return nil }
    let domain = email[email.index(after: at)...]
    return domain.isEmpty ? nil : String(domain)
  }

  /// `network:id` with the network lower-cased (ids are case-sensitive in some networks).
  public static func messenger(_ raw: String) -> String? {
    let fast = raw.utf8.withContiguousStorageIfAvailable(messengerASCII)
    if case .some(.decided(let result)) = fast { return result }
    return messengerGeneral(raw)
  }

  /// The general path of ``messenger(_:)``, for any text.
  static func messengerGeneral(_ raw: String) -> String? {
    let text = raw.trimmedSpaces
    guard let colon = text.firstIndex(of: ":") else { return nil }
    var network = text[..<colon].trimmedSpaces.lowercased()
    var id = text[text.index(after: colon)...].trimmedSpaces
    // A link to a profile is its username: `telegram:https://t.me/ivan_p` is `telegram:@ivan_p`.
    for prefix in ["https://t.me/", "http://t.me/", "t.me/"] where id.lowercased().hasPrefix(prefix)
    {
      id = "@" + id.dropFirst(prefix.count)
    }
    if network == "tg" { network = "telegram" }
    guard !network.isEmpty, !id.isEmpty, id != "@" else { return nil }
    // Usernames are case-insensitive (ids are kept as written).
    if id.hasPrefix("@") { id = id.lowercased() }
    return "\(network):\(id)"
  }

  /// A domain as e-mails carry it: lower-cased, Unicode rather than punycode, no `@` or `www.`.
  /// A website's address is its host (`https://www.romashka.ru/contacts` is `romashka.ru`),
  /// as is a fully qualified name (`romashka.ru.`).
  static func domain(_ raw: String) -> String? {
    let fast = raw.utf8.withContiguousStorageIfAvailable(domainASCII)
    if case .some(.decided(let result)) = fast { return result }
    return domainGeneral(raw)
  }

  /// The host of a website address: no scheme, path, query, port or final dot.
  static func host(_ raw: String) -> String? {
    var text = Substring(raw.trimmedSpaces)
    if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
    if text.hasPrefix("//") { text = text.dropFirst(2) }
    if let end = text.firstIndex(where: { "/?#".contains($0) }) { text = text[..<end] }
    if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
    if let colon = text.firstIndex(of: ":") { text = text[..<colon] }
    while text.hasSuffix(".") { text = text.dropLast() }
    var host = text.lowercased()
    if host.hasPrefix("www.") { host.removeFirst(4) }
    return text.isEmpty || platformHosts.contains(host) ? nil : String(text)
  }

  /// The general path of ``domain(_:)``, for any text.
  static func domainGeneral(_ raw: String) -> String? {
    if raw.contains(where: { $0 == "/" || $0 == ":" }) || raw.trimmedSpaces.hasSuffix(".") {
      return host(raw).flatMap { domainGeneral($0) }
    }
    var text = raw.trimmedSpaces.lowercased()
    if text.hasPrefix("@") { text.removeFirst() }
    if text.hasPrefix("www.") { text.removeFirst(4) }
    guard !text.isEmpty, let email = EmailNormalizer.normalize("x@" + text) else { return nil }
    return domain(ofEmail: email)
  }

  private func normalizeEmails(_ raw: [String], into keys: inout [DirectoryKey]) -> [String] {
    Self.unique(
      raw.compactMap { value -> String? in
        guard let email = EmailNormalizer.normalize(value) else { return Self.listValue(value) }
        keys.append(DirectoryKey(.email, email))
        if let mailbox = EmailNormalizer.mailbox(email) {
          keys.append(DirectoryKey(.mailbox, mailbox))
        }
        return email
      })
  }

  /// Phones in E.164; one written with an extension keeps it (`+74951234567;ext=123`, RFC 3966)
  /// and is a key of the `office` kind: for a contact, the office's line, not the person's.
  private func normalizePhones(
    _ raw: [String], office: DirectoryKey.Kind, into keys: inout [DirectoryKey]
  ) -> [String] {
    Self.unique(
      raw.compactMap { value -> String? in
        guard let number = phone.normalize(value) else { return Self.listValue(value) }
        if let digits = PhoneNormalizer.extensionDigits(value), !digits.isEmpty {
          keys.append(DirectoryKey(office, number))
          return number + ";ext=" + digits
        }
        keys.append(DirectoryKey(.phone, number))
        return number
      })
  }

  /// A list value kept as given (it did not normalise): trimmed, and its line breaks made
  /// spaces — lists are stored one value per line, so a break would split it in two.
  static func listValue(_ value: String) -> String? {
    guard value.contains(where: \.isNewline) else { return trimmed(value) }
    return trimmed(String(value.map { $0.isNewline ? " " : $0 }))
  }

  /// The text without surrounding spaces, or `nil` when nothing is left (ids, names).
  public static func trimmed(_ value: String?) -> String? {
    guard let text = value?.trimmedSpaces, !text.isEmpty else {
      return nil
    }
    return text
  }

  /// The fast path of ``messenger(_:)`` for printable ASCII (`telegram:123456`): the network
  /// lower-cased, both sides without spaces. Anything else is left to the general path.
  static func messengerASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> FastPathResult {
    var colon = -1
    for index in 0..<bytes.count {
      let byte = bytes[index]
      guard byte >= ASCIIBytes.space && byte <= 0x7E else { return .undecided }
      if colon < 0 && byte == UInt8(ascii: ":") { colon = index }
    }
    guard colon >= 0 else { return .decided(nil) }
    let network = ASCIIBytes.trimmingSpaces(bytes, 0..<colon)
    let id = ASCIIBytes.trimmingSpaces(bytes, colon + 1..<bytes.count)
    guard !network.isEmpty, !id.isEmpty else { return .decided(nil) }
    // Usernames, profile links and the `tg` alias: the general path.
    if bytes[id.lowerBound] == UInt8(ascii: "@")
      || bytes[id.lowerBound..<id.upperBound].contains(UInt8(ascii: "/"))
      || network.count == 2
    {
      return .undecided
    }
    let result = String(unsafeUninitializedCapacity: network.count + 1 + id.count) { out in
      var count = 0
      for index in network {
        out[count] = ASCIIBytes.lowercased(bytes[index])
        count += 1
      }
      out[count] = UInt8(ascii: ":")
      count += 1
      for index in id {
        out[count] = bytes[index]
        count += 1
      }
      return count
    }
    return .decided(result)
  }

  /// The fast path of ``domain(_:)`` for printable ASCII: the same steps on bytes, then the
  /// e-mail fast path on `x@` and the domain. Anything else is left to the general path.
  static func domainASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> FastPathResult {
    // A website's address (a scheme, a path, a port, a final dot) is the general path's.
    for byte in bytes
    where byte < ASCIIBytes.space || byte > 0x7E || byte == UInt8(ascii: "/")
      || byte == UInt8(ascii: ":")
    {
      return .undecided
    }
    var range = ASCIIBytes.trimmingSpaces(bytes, 0..<bytes.count)
    if range.last.map({ bytes[$0] }) == UInt8(ascii: ".") { return .undecided }
    if range.first.map({ bytes[$0] }) == UInt8(ascii: "@") {
      range = range.lowerBound + 1..<range.upperBound
    }
    let www = Array("www.".utf8)
    if range.count >= 4
      && (0..<4).allSatisfy({ ASCIIBytes.lowercased(bytes[range.lowerBound + $0]) == www[$0] })
    {
      range = range.lowerBound + 4..<range.upperBound
    }
    guard !range.isEmpty else { return .decided(nil) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: range.count + 2) { email in
      email[0] = UInt8(ascii: "x")
      email[1] = UInt8(ascii: "@")
      for (offset, index) in range.enumerated() {
        email[offset + 2] = ASCIIBytes.lowercased(bytes[index])
      }
      switch EmailNormalizer.normalizeASCII(UnsafeBufferPointer(email)) {
      case .decided(let address?): return .decided(String(address.utf8.dropFirst(2)))
      case .decided(nil): return .decided(nil)
      case .undecided: return .undecided
      }
    }
  }

  static func unique<T: Hashable>(_ values: [T]) -> [T] {
    // A record has a handful of values: comparing them is cheaper than hashing into a set.
    if values.count < 2 { return values }
    if values.count <= 16 {
      var result: [T] = []
      result.reserveCapacity(values.count)
      for value in values where !result.contains(value) { result.append(value) }
      return result
    }
    var seen: Set<T> = []
    return values.filter { seen.insert($0).inserted }
  }
}

extension DirectoryNormalizer {
  /// A record of any kind with normalised values and its keys.
  public func normalize(_ record: DirectoryRecord) -> NormalizedDirectoryRecord {
    switch record {
    case .client(let client):
      let (normalized, keys) = normalize(client)
      return NormalizedDirectoryRecord(record: .client(normalized), keys: keys)
    case .contact(let contact):
      let (normalized, keys) = normalize(contact)
      return NormalizedDirectoryRecord(record: .contact(normalized), keys: keys)
    case .interest(let interest):
      return NormalizedDirectoryRecord(record: .interest(normalize(interest)), keys: [])
    }
  }
}
