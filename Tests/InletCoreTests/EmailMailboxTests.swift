import Testing

@testable import InletCore

@Suite("E-mail mailboxes")
struct EmailMailboxTests {
  @Test(
    "aliases of one mailbox share a key; an address that is its own mailbox has none",
    arguments: [
      ("ivan+shop@romashka.ru", "ivan@romashka.ru"),
      ("ivan@romashka.ru", nil),
      ("ivan.petrov@gmail.com", "ivanpetrov@gmail.com"),
      ("i.van.petrov+crm@googlemail.com", "ivanpetrov@gmail.com"),
      ("ivanpetrov@gmail.com", nil),
      ("ivan-petrov@ya.ru", "ivan.petrov@yandex.ru"),
      ("ivan-petrov@yandex.kz", "ivan.petrov@yandex.ru"),
      ("ivan.petrov@yandex.ru", nil),
      // Dots matter outside Gmail; a `-` is a `-` outside Yandex.
      ("ivan.petrov@mail.ru", nil),
      ("ivan-petrov@romashka.ru", nil),
      // Nothing left of the name: no mailbox to speak of.
      ("+tag@romashka.ru", nil),
      ("...@gmail.com", nil),
    ] as [(String, String?)])
  func mailbox(_ email: String, _ expected: String?) {
    #expect(EmailNormalizer.mailbox(email) == expected)
  }
}
