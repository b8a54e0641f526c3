extension EmailNormalizer {
  /// The domains one Yandex mailbox answers at: `ivan@ya.ru` is `ivan@yandex.ru`.
  static let yandexDomains: Set<Substring> = [
    "yandex.ru", "ya.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua",
  ]

  /// Whether a normalised address's `+tag` may name another person than the directory's other
  /// tags of its mailbox: a company's shared `sales+ivan@` and `sales+olga@` are two people,
  /// a Gmail or Yandex mailbox's tags one.
  public static func tagMayNameAnother(_ email: String) -> Bool {
    guard let at = email.lastIndex(of: "@"), let plus = email[..<at].firstIndex(of: "+"),
      plus != email.startIndex
    else { return false }
    let domain = email[email.index(after: at)...]
    return domain != "gmail.com" && domain != "googlemail.com" && !yandexDomains.contains(domain)
  }

  /// The mailbox a normalised address delivers to, where the provider makes several
  /// addresses one: a `+tag` is dropped (`ivan+shop@firm.ru`); Gmail ignores dots in the name
  /// and answers at googlemail.com too; Yandex reads `-` as `.` and answers at ya.ru and its
  /// other domains. `nil` when the address is its own mailbox's canonical form already.
  ///
  /// A second key, used only when an address finds nobody as written: the directory's
  /// `ivan.petrov@yandex.ru` is the lead's `ivan-petrov@ya.ru`.
  public static func mailbox(_ email: String) -> String? {
    guard let at = email.lastIndex(of: "@") else { return nil }
    var local = email[..<at]
    var domain = email[email.index(after: at)...]
    if let plus = local.firstIndex(of: "+"), plus != local.startIndex {
      local = local[..<plus]
    }
    var name = String(local)
    if domain == "googlemail.com" { domain = "gmail.com" }
    if domain == "gmail.com" {
      name.removeAll { $0 == "." }
    } else if yandexDomains.contains(domain) {
      domain = "yandex.ru"
      name = name.replacingOccurrences(of: "-", with: ".")
    }
    guard !name.isEmpty else { return nil }
    let canonical = name + "@" + domain
    return canonical == email ? nil : canonical
  }
}
