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
    ] {
      #expect(MailSubject.replyBase(subject) == base, "\(subject)")
    }
    for subject in ["Заявка на поставку", "Fwd: Заявка", "Re:", "Reklama: скидки", nil] {
      #expect(MailSubject.replyBase(subject) == nil, "\(subject ?? "nil")")
    }
    #expect(MailSubject.base("Fwd: RE: Заявка") == "заявка")
    #expect(MailSubject.base("Заявка: срочно") == "заявка: срочно")
  }
}
