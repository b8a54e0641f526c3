import Testing

@testable import InletMail

@Suite("Quote and signature split")
struct TextSplitterTests {
  @Test func dashDashSignatureAndQuote() {
    let result = TextSplitter.split(
      "Hello!\n\nOn Mon, 1 Apr 2024, Bob <b@x.ru> wrote:\n> old\n> text\n")
    #expect(result.text == "Hello!")
    #expect(result.quoted == "On Mon, 1 Apr 2024, Bob <b@x.ru> wrote:\n> old\n> text")
    let signed = TextSplitter.split("Body\n-- \nIvan\n+7 916 000-00-00")
    #expect(signed.text == "Body")
    #expect(signed.signature == "Ivan\n+7 916 000-00-00")
  }

  @Test func signOffOnlyNearTheEnd() {
    let result = TextSplitter.split("Нужен счёт.\n\nС уважением,\nИван")
    #expect(result.text == "Нужен счёт.")
    #expect(result.signature == "С уважением,\nИван")
    let long = "С уважением к вашей работе пишу.\n" + String(repeating: "строка\n", count: 30)
    #expect(TextSplitter.split(long).signature == nil)
  }

  @Test func russianAttributionsAndOutlookBlocks() {
    for attribution in [
      "12.03.2024 10:15, Иван Петров пишет:", "Вы писали 12 марта 2024 г., 10:15:43:",
      "Среда, 13 марта 2024, 10:15 +03:00 от Отдел продаж <sales@example.ru>:",
      "-----Original Message-----",
    ] {
      let result = TextSplitter.split("Ответ.\n\n\(attribution)\nстарое")
      #expect(result.text == "Ответ.", "\(attribution)")
      #expect(result.quoted?.contains("старое") == true, "\(attribution)")
    }
    let outlook = TextSplitter.split(
      "Да.\n\nОт: A <a@b.ru>\nОтправлено: 1 апреля\nКому: B\nТема: X\n\nстарое")
    #expect(outlook.text == "Да.")
  }

  @Test func forwardsAreContent() {
    let result = TextSplitter.split(
      "FYI\n\n---------- Forwarded message ---------\nFrom: A <a@b.ru>\nDate: x\nSubject: y\n\nbody"
    )
    #expect(result.quoted == nil)
    #expect(result.text.hasSuffix("body"))
  }
}

@Suite("Attachment names")
struct FileNameSanitiserTests {
  @Test(arguments: [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\a\\file.txt", "file.txt"),
    (".htaccess", "htaccess"), ("...", "attachment-3.pdf"), ("a\u{0}b\u{7}c.txt", "abc.txt"),
    ("re:port?.pdf", "re_port_.pdf"), ("  spaced .pdf ", "spaced .pdf"),
    ("right\u{202E}fdp.exe", "rightfdp.exe"),
  ])
  func sanitised(_ pair: (String, String)) {
    #expect(FileNameSanitiser.sanitise(pair.0, mediaType: "application/pdf", index: 3) == pair.1)
  }

  @Test func longNamesKeepExtensionAndCharacters() {
    let name = FileNameSanitiser.sanitise(
      String(repeating: "ж", count: 300) + ".docx", mediaType: "x/y", index: 1)
    #expect(name.utf8.count <= 200)
    #expect(name.hasSuffix(".docx"))
    #expect(!name.contains("\u{FFFD}"))
    #expect(FileNameSanitiser.sanitise(nil, mediaType: "image/png", index: 2) == "attachment-2.png")
  }
}
