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
    #expect(MangoSignScheme.rawField("json", in: body) == #"{"a": 1}"#)
    #expect(MangoSignScheme.rawField("json", in: [0xFF, 0x3D]) == nil)
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
}
