/// The tunable part of matching (config `matching:`).
public struct MatchingRules: Sendable, Equatable {
  /// Domains of public mailboxes: a sender's domain says nothing about their employer there, so
  /// the domain criterion never uses them, even when a client record lists one.
  public var freeMailDomains: Set<String>
  /// A criterion that points at more clients than this (a reseller's domain, a number shared
  /// across companies) is not used — it would point at an arbitrary one of them — and is
  /// listed among the match's conflicts.
  public var maxMatches: Int

  /// The shipped list: the large Russian and international public mail services.
  public static let defaultFreeMailDomains: [String] = [
    "mail.ru", "bk.ru", "list.ru", "inbox.ru", "internet.ru", "mail.ua", "yandex.ru", "yandex.com",
    "yandex.by", "yandex.kz", "yandex.ua", "ya.ru", "narod.ru", "rambler.ru", "ro.ru", "lenta.ru",
    "autorambler.ru", "myrambler.ru", "gmail.com", "googlemail.com", "icloud.com", "me.com",
    "mac.com", "outlook.com", "hotmail.com", "live.com", "live.ru", "msn.com", "yahoo.com",
    "ymail.com", "aol.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de",
    "gmx.net", "web.de", "zoho.com", "tutanota.com", "qip.ru", "pochta.ru", "e1.ru", "ngs.ru",
    "ukr.net", "tut.by", "mail.kz", "почта.рф", "mail.com", "i.ua", "meta.ua", "bigmir.net",
    "rambler.ua", "inbox.lv", "mail.ee", "yahoo.co.uk", "vk.com", "hotbox.ru", "email.ru",
    "nxt.ru", "pisem.net", "land.ru", "fromru.com", "km.ru", "mail.by", "yandex.uz", "mail.uz",
  ]

  /// The shipped list, normalised: the domains a directory record's e-mails give no
  /// ``DirectoryKey/Kind/emailDomain`` key for (the configured list may differ; those it adds
  /// are never looked up, those it removes only lose the fallback).
  static let shippedFreeMail: Set<String> = Set(
    defaultFreeMailDomains.map { DirectoryNormalizer.domain($0) ?? $0 })

  /// Whether `domain` (normalised) is one of the shipped public mail services.
  public static func isShippedFreeMail(_ domain: String) -> Bool {
    shippedFreeMail.contains(domain)
  }

  public init(
    freeMailDomains: [String] = MatchingRules.defaultFreeMailDomains, maxMatches: Int = 20
  ) {
    // As a sender's domain is compared: `@BK.ru `, `xn--80a1acny.xn--p1ai` are `bk.ru`,
    // `почта.рф` (written as `mail.own_addresses` entries are, they must not silently miss).
    self.freeMailDomains = Set(
      freeMailDomains.map { DirectoryNormalizer.domain($0) ?? $0.lowercased() })
    self.maxMatches = maxMatches
  }

  /// Whether `domain` (normalised: lower-case, Unicode) is a public mail service.
  public func isFreeMail(_ domain: String) -> Bool {
    freeMailDomains.contains(domain)
  }
}
