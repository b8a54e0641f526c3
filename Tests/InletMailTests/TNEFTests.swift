import Foundation
import Testing

@testable import InletMail

/// Outlook's winmail.dat: files and text read from the stream; a cut or mangled one never traps.
/// (The letters that carry one are fixtures 111 and 112 of the corpus.)
@Suite("TNEF and compressed RTF")
struct TNEFTests {
  /// The winmail.dat of fixture 111 (two files, long names in UTF-16 and cp1251).
  static let winmail: [UInt8] = {
    let url = FixtureCorpus.directory.appendingPathComponent("111-outlook-winmail-dat.eml")
    let raw = Array(FileManager.default.contents(atPath: url.path) ?? Data())
    let part = MIMEParser.parse(raw)?.root.children.first { $0.mediaType == "application/ms-tnef" }
    return part?.decodedBody ?? []
  }()

  @Test func filesWithTheirLongNames() throws {
    let content = try #require(TNEF.read(Self.winmail))
    #expect(content.files.map(\.name) == ["ТЗ на поставку.docx", "Реквизиты.pdf"])
    #expect(content.files.first?.data.prefix(4) == [0x50, 0x4B, 0x03, 0x04])
    #expect(content.text == nil)
    #expect(TNEF.read(Array("not a tnef stream".utf8)) == nil)
  }

  @Test func cutOrMangledStreamsNeverTrap() {
    let stream = Self.winmail
    #expect(!stream.isEmpty)
    for length in stride(from: 0, through: stream.count, by: 7) {
      _ = TNEF.read(Array(stream.prefix(length)))
    }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<300 {
      var mangled = stream
      for _ in 0..<4 {
        mangled[Int.random(in: 6..<mangled.count, using: &generator)] = UInt8.random(
          in: 0...255, using: &generator)
      }
      _ = TNEF.read(mangled)
      _ = CompressedRTF.decompress(Array(mangled.suffix(200)))
    }
    // Lengths and counts that claim more than there is.
    _ = TNEF.properties([0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00, 0x07, 0x37, 0xFF, 0xFF, 0xFF, 0x7F])
    _ = CompressedRTF.decompress(
      [0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F] + Array("LZFu".utf8))
  }

  @Test func rtfText() {
    let rtf = #"""
      {\rtf1\ansi\ansicpg1251{\fonttbl{\f0 Arial;}}{\colortbl;\red0\green0\blue0;}
      {\*\generator Msftedit;}\f0 \'cf\'f0\'e8\'e2\'e5\'f2\par
      \uc1\u1057?\u1095?\u1105?\u1090? \{1\}\tab x\line
      {\*\htmltag64 <p>}\htmlrtf {\b ignored}\htmlrtf0 shown}
      """#
    #expect(RTFText.text(of: Array(rtf.utf8)) == "Привет\nСчёт {1}\tx\nshown")
    // An English-locale Outlook declares 1252 for Russian text (a Cyrillic font's bytes):
    // read as a MIME part declared so would be, not as «Ïðèâåò».
    let western =
      #"{\rtf1\ansi\ansicpg1252 \'cf\'f0\'e8\'e2\'e5\'f2, \'ed\'f3\'e6\'e5\'ed \'f1\'f7\'e5\'f2}"#
    #expect(RTFText.text(of: Array(western.utf8)) == "Привет, нужен счет")
    #expect(TNEF.text(Array("Caf\u{E9}".utf8.prefix(3)) + [0xE9, 0], codepage: 1252) == "Café")
    // Parameters out of any range are no characters and no code pages, never a trap.
    for word in [
      #"\u4294967296?"#, #"\u99999999999?"#, #"\u-70000?"#, #"\u1114112?"#, #"\u55296?"#,
      #"\ansicpg-1 \'e0"#, #"\ansicpg99999999999 \'e0"#, #"\uc99999999999 \u1057 abc"#,
    ] {
      _ = RTFText.text(of: Array("{\\rtf1 \(word)}".utf8))
    }
    #expect(RTFText.text(of: Array(#"{\rtf1 \u-1000?}"#.utf8)) == "\u{FC18}")
    // Control words and numbers put together at random: text or nothing, never a trap.
    let tokens = [
      "{", "}", #"\u"#, #"\'"#, #"\ansicpg"#, #"\uc"#, #"\bin"#, #"\htmlrtf"#, #"\*"#, "-",
      "?", "a", " ", "e0", "ff", #"\par"#, #"\"#,
    ]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      var text = ""
      for _ in 0..<Int.random(in: 1...12, using: &generator) {
        if Bool.random(using: &generator) {
          text += tokens.randomElement(using: &generator)!
        } else {
          text += String(UInt64.random(in: 0...UInt64.max, using: &generator))
            .prefix(Int.random(in: 1...20, using: &generator))
        }
      }
      _ = RTFText.text(of: Array(text.utf8))
    }
  }
}
