import Crypto
import Foundation
import Testing

@testable import InletCore

@Suite("URL-encoded forms and hex digests")
struct FormURLEncodingTests {
  @Test("fields are cut at & and the first =, empty ones skipped, escapes decoded")
  func parsesFields() throws {
    let pairs = try #require(
      FormURLEncoding.parse("a=1&&b=%D0%B8&=x&c&d=e=f&+=+&json=%7B%22x%22%3A1%7D&"))
    #expect(pairs.map(\.name) == ["a", "b", "c", "d", " ", "json"])
    #expect(pairs.map(\.value) == ["1", "и", "", "e=f", " ", #"{"x":1}"#])
    #expect(FormURLEncoding.parse("")?.isEmpty == true)
    #expect(FormURLEncoding.parse("a=%G1") == nil)
    #expect(FormURLEncoding.parse("a=%D0") == nil)  // not UTF-8
    #expect(FormURLEncoding.parse("имя=Иван")?.first?.value == "Иван")
  }

  @Test("Mango's signature reads the json field as received")
  func mangoRawField() {
    let body = Array("vpbx_api_key=k&sign=s&json=%7B%22a%22%3A+1%7D".utf8)
    #expect(MangoSignScheme.signedFields(["json"], in: body).fields["json"] == #"{"a": 1}"#)
    #expect(MangoSignScheme.signedFields(["json"], in: [0xFF, 0x3D]).fields.isEmpty)
  }

  @Test("hex is lower-case, two digits a byte, as String(format:) gave")
  func hex() {
    let bytes: [UInt8] = [0, 1, 0x0F, 0x10, 0xAB, 0xFF]
    #expect(Hex.lowercase(bytes) == "00010f10abff")
    let digest = SHA256.hash(data: Data("abc".utf8))
    #expect(
      Hex.lowercase(digest)
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      MangoSignScheme.sign(apiKey: "a", json: "b", salt: "c")
        == Hex.lowercase(SHA256.hash(data: Data("abc".utf8))))
  }

  @Test func queryKeepsEveryComponentItCanRead() {
    let text = "token=t0k&name=%C8%E2%E0%ED&note=100%zz&utf=%D0%98&plus=a+b&&=x&flag"
    let strict = FormURLEncoding.parse(text)
    #expect(strict == nil)  // one bad component, and the form reader gives up (a body is kept raw)
    let read = FormURLEncoding.parseQuery(text, legacy: .windows1251)
    #expect(read.map(\.name) == ["token", "name", "note", "utf", "plus", "flag"])
    #expect(read.map(\.value) == ["t0k", "Иван", "100%zz", "И", "a b", ""])
    // Without a legacy charset, unreadable bytes become U+FFFD; the rest is unchanged.
    let plain = FormURLEncoding.parseQuery(text)
    #expect(plain[1].value == String(repeating: "\u{FFFD}", count: 4))
    #expect(plain[0].value == "t0k")
  }
}
