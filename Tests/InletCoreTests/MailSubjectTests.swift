import InletCore
import Testing

/// A reply's subject is its letter's with the prefixes taken off.
@Suite struct MailSubjectTests {
  @Test func replyBase() {
    for (subject, base) in [
      ("Re: Заявка на поставку", "заявка на поставку"),
      ("RE[2]: Заявка  на\tпоставку", "заявка на поставку"),
      ("Ответ: Re: Заявка", "заявка"),
      ("AW: Fwd: Счёт", "счёт"),
      ("Отв: RE: Fw: КП", "кп"),
      ("Re(3): КП", "кп"),
      // Leading whitespace of any kind, and every prefix word's first letter in both cases
      // (the byte test before the full one must not rule these out).
      ("  \tre: Заявка", "заявка"),
      ("\u{00A0}Re: Заявка", "заявка"),
      ("\u{3000}RE: Заявка", "заявка"),
      ("ОТВЕТ: Заявка", "заявка"),
      ("отв: заявка", "заявка"),
      ("Отв: Пересл: Заявка", "заявка"),
      ("Aw: TR: Заявка", "заявка"),
      ("re： wg: Заявка", "заявка"),
    ] {
      #expect(MailSubject.replyBase(subject) == base, "\(subject)")
    }
    for subject in [
      "Заявка на поставку", "Fwd: Заявка", "Re:", "Reklama: скидки", nil, "", "   ",
      "Заявка №5: насосы", "Ёлки: Re: заказ", "1: Re: заказ", "Пересылка",
      "Пересл: Re: Заявка", "TR: Aw: Заявка",
    ] {
      #expect(MailSubject.replyBase(subject) == nil, "\(subject ?? "nil")")
    }
    #expect(MailSubject.base("Fwd: RE: Заявка") == "заявка")
    #expect(MailSubject.base("Заявка: срочно") == "заявка: срочно")
    #expect(MailSubject.base("  Пересылка: ЗАЯВКА   №5 ") == "заявка №5")
  }
}
