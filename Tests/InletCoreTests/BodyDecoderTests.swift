import Foundation
import Testing

@testable import InletCore

struct BodyDecoderTests {
  private static let allFormats: [BodyFormat] = [.json, .form, .multipart]

  private static func decode(
    _ request: HookRequest, accepting formats: [BodyFormat] = allFormats, jsonField: String? = nil
  ) throws(BodyDecodingError) -> DecodedBody {
    try BodyDecoder.decode(request, accepting: formats, jsonField: jsonField)
  }

  private static func path(_ text: String) -> FieldPath { FieldPath(text)! }

  /// Expects a `BodyDecodingError` with that code.
  private static func expectFailure(
    _ code: String, _ request: HookRequest, accepting formats: [BodyFormat] = allFormats,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let error = #expect(throws: BodyDecodingError.self, sourceLocation: sourceLocation) {
      try decode(request, accepting: formats)
    }
    #expect(error?.code == code, sourceLocation: sourceLocation)
    #expect(error?.message.isEmpty == false, sourceLocation: sourceLocation)
  }

  // MARK: JSON

  @Test func jsonNestedDocument() throws {
    let body = try Self.decode(
      .post(
        "application/json",
        #"{"lead":{"contact":{"email":"a@b.ru","tags":["x","y"]}},"n":1.5,"ok":true,"none":null}"#
      ))
    let fields = body.fields
    #expect(fields.value(at: Self.path("lead.contact.email")) == "a@b.ru")
    #expect(fields.value(at: Self.path("lead.contact.tags[1]")) == "y")
    #expect(fields.value(at: Self.path("lead.contact.tags.0")) == "x")
    #expect(fields.value(at: Self.path("n")) == .number("1.5"))
    #expect(fields.value(at: Self.path("ok")) == .bool(true))
    #expect(fields.value(at: Self.path("none")) == .null)
    #expect(fields.value(at: Self.path("lead.missing")) == nil)
    #expect(body.files.isEmpty)
  }

  @Test func jsonByteOrderMarkIsIgnored() throws {
    let body = try Self.decode(.post("application/json", "\u{FEFF}" + #"{"name":"Иван"}"#))
    #expect(body.fields.value(at: Self.path("name")) == "Иван")
  }

  @Test func jsonTopLevelArrayIsKept() throws {
    let body = try Self.decode(.post("application/json", #"[{"id":1},{"id":2}]"#))
    #expect(body.fields == .array([.object(["id": .number("1")]), .object(["id": .number("2")])]))
  }

  @Test(arguments: [
    "9223372036854775807",  // Int64.max
    "-9223372036854775808",  // Int64.min
    "-1001234567890",  // a Telegram supergroup chat id
    "1234567890123456789",  // beyond a Double's 53-bit mantissa
    "9007199254740993",  // 2^53 + 1
  ])
  func bigIdsKeepTheirDigits(_ digits: String) throws {
    let body = try Self.decode(.post("application/json", #"{"id":\#(digits)}"#))
    #expect(body.fields.value(at: Self.path("id")) == .number(digits))
    #expect(body.fields.value(at: Self.path("id"))?.text == digits)
  }

  /// An unsigned 64-bit id (some providers use them) is still a 64-bit id.
  @Test func unsignedSixtyFourBitIdKeepsItsDigits() throws {
    let digits = "18446744073709551615"
    let body = try Self.decode(.post("application/json", #"{"id":\#(digits)}"#))
    #expect(body.fields.value(at: Self.path("id"))?.text == digits)
  }

  @Test(arguments: [
    "application/json", "application/json; charset=utf-8", "text/json",
    "application/vnd.api+json", "Application/JSON",
  ])
  func jsonMediaTypes(_ contentType: String) throws {
    let body = try Self.decode(.post(contentType, #"{"a":"b"}"#))
    #expect(body.fields == .object(["a": "b"]))
  }

  @Test(arguments: [#"{"a":"#, "not json", "{'a': 1}", #"{"a":1}}"#, ""])
  func invalidJSONIsMalformed(_ text: String) {
    Self.expectFailure("malformed_body", .post("application/json", text))
  }

  // MARK: urlencoded forms

  @Test func formPlusAndPercentEscapes() throws {
    let body = try Self.decode(
      .post(
        "application/x-www-form-urlencoded",
        "name=%D0%98%D0%B2%D0%B0%D0%BD+%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2&q=1%2B1%3D2&e=a%40b.ru"
      ))
    #expect(body.fields == .object(["name": "Иван Петров", "q": "1+1=2", "e": "a@b.ru"]))
  }

  @Test func formCyrillicNamesAndLowercaseEscapes() throws {
    let body = try Self.decode(
      .post("application/x-www-form-urlencoded", "%d0%b8%d0%bc%d1%8f=%D0%B8"))
    #expect(body.fields == .object(["имя": "и"]))
  }

  @Test func formBracketNamesNest() throws {
    let body = try Self.decode(
      .post(
        "application/x-www-form-urlencoded",
        "fields%5Bemail%5D%5Bvalue%5D=a%40b.ru&fields[name][value]=Anna&fields[name][type]=text"))
    #expect(body.fields.value(at: Self.path("fields[email][value]")) == "a@b.ru")
    #expect(body.fields.value(at: Self.path("fields.name.value")) == "Anna")
    #expect(
      body.fields
        == .object([
          "fields": .object([
            "email": .object(["value": "a@b.ru"]),
            "name": .object(["value": "Anna", "type": "text"]),
          ])
        ]))
  }

  @Test func formEmptyBracketsMakeArrays() throws {
    let body = try Self.decode(
      .post("application/x-www-form-urlencoded", "user[]=ann&user[]=bob&user[]=%D0%AF"))
    #expect(body.fields == .object(["user": .array(["ann", "bob", "Я"])]))
    #expect(body.fields.value(at: Self.path("user[2]")) == "Я")
  }

  @Test func formNamesNestUpToTheDepthLimitThenStayWhole() throws {
    let deepest = "a" + String(repeating: "[x]", count: FormTree.maxDepth)
    let nested = try Self.decode(.post("application/x-www-form-urlencoded", deepest + "=1"))
    var node = nested.fields.object?["a"]
    for _ in 1..<FormTree.maxDepth { node = node?.object?["x"] }
    #expect(node == .object(["x": "1"]))
    // One level more, and a crafted name 300,000 levels deep (600 KB, before any credential is
    // checked): kept whole as one flat name, instead of recursing once per level.
    for name in [deepest + "[x]", "a" + String(repeating: "[]", count: 300_000)] {
      let body = try Self.decode(.post("application/x-www-form-urlencoded", name + "=1&b=2"))
      #expect(body.fields == .object([name: "1", "b": "2"]))
    }
  }

  @Test(.timeLimit(.minutes(1)))
  func formWithManyFieldsIsReadWhole() throws {
    // 200,000 values of one name and 100,000 distinct names (≈ 1.5 MB): every one kept. (Each
    // field used to copy everything built before it: minutes for a body this size.)
    let repeated = String(repeating: "a=&", count: 200_000)
    let distinct = (0..<100_000).map { "f\($0)=\($0)" }.joined(separator: "&")
    let body = try Self.decode(
      .post("application/x-www-form-urlencoded", repeated + "list[]=x&" + distinct))
    #expect(body.fields.object?["a"]?.array?.count == 200_000)
    #expect(body.fields.object?.count == 100_002)
    #expect(body.fields.object?["f99999"] == "99999")
    #expect(body.fields.object?["list"] == .array(["x"]))
  }

  @Test func plainFormsReadAsTheTreeReadsThem() {
    // The shortcut for forms of plain names each given once answers as the tree does, and
    // forms with brackets or a repeated name still go to the tree.
    var random = SystemRandomNumberGenerator()
    let names = ["a", "b", "имя", "phone", "x[]", "x[y]", "c]", "d[", "e", "f"]
    for _ in 0..<500 {
      let pairs = (0..<Int.random(in: 0...6, using: &random)).map { n in
        (name: names.randomElement(using: &random)!, value: "v\(n)")
      }
      var tree = FormTree()
      for pair in pairs { tree.insert(name: pair.name, value: pair.value) }
      #expect(BodyDecoder.formObject(pairs) == tree.value, "\(pairs)")
    }
  }

  @Test func formRepeatedNamesKeepEveryValue() throws {
    let body = try Self.decode(
      .post("application/x-www-form-urlencoded", "tag=a&other=1&tag=b&tag=c"))
    #expect(body.fields == .object(["tag": .array(["a", "b", "c"]), "other": "1"]))
  }

  @Test func formEmptyValuesAndNames() throws {
    let body = try Self.decode(
      .post("application/x-www-form-urlencoded", "a=&b&&=orphan&c=x=y"))
    #expect(body.fields == .object(["a": "", "b": "", "c": "x=y"]))
  }

  @Test(arguments: ["name=%ZZ", "name=%D", "name=abc%", "%G1=x", "a=1&b=%2"])
  func formBrokenEscapeIsMalformed(_ text: String) {
    Self.expectFailure("malformed_body", .post("application/x-www-form-urlencoded", text))
  }

  @Test(arguments: ["name=%FF%FE", "name=%D0", "%C3%28=x"])
  func formEscapesThatAreNotUTF8AreMalformed(_ text: String) {
    Self.expectFailure("malformed_body", .post("application/x-www-form-urlencoded", text))
  }

  @Test func formRawBytesThatAreNotUTF8AreMalformed() {
    Self.expectFailure(
      "malformed_body",
      .post("application/x-www-form-urlencoded", bytes: Array("name=".utf8) + [0xC8, 0xE2]))
  }

  @Test(arguments: ["Иван Петров", "a+b=c&d", "100% ✓", "~-._", ""])
  func formEncodingRoundTrips(_ text: String) throws {
    let encoded = FormURLEncoding.encode(text)
    #expect(encoded.allSatisfy { $0.isASCII && $0 != "+" && $0 != "&" && $0 != "=" })
    #expect(FormURLEncoding.decode(Substring(encoded)) == text)
  }

  @Test func formParseKeepsOrder() throws {
    let pairs = try #require(FormURLEncoding.parse("b=2&a=1&b=3"))
    #expect(pairs.map(\.name) == ["b", "a", "b"])
    #expect(pairs.map(\.value) == ["2", "1", "3"])
    #expect(FormURLEncoding.parse("a=%") == nil)
  }

  @Test func jsonInsideAFormField() throws {
    let request = HookRequest.post(
      "application/x-www-form-urlencoded",
      "vpbx_api_key=k&json=%7B%22call%22%3A%7B%22id%22%3A%22x1%22%7D%7D")
    let body = try Self.decode(request, accepting: [.jsonInFormField])
    #expect(body.fields.value(at: Self.path("json.call.id")) == "x1")
    #expect(body.fields.value(at: Self.path("vpbx_api_key")) == "k")

    let named = HookRequest.post("application/x-www-form-urlencoded", "data=%7B%7D")
    #expect(
      try Self.decode(named, accepting: [.jsonInFormField], jsonField: "data").fields
        == .object(["data": .object([:])]))
    Self.expectFailure("malformed_body", named, accepting: [.jsonInFormField])
    // The document field once, as text: a repeat or a `json[…]` would make the text read here
    // another than the raw field a signature covers.
    for extra in ["json=%7B%7D", "json%5B%23text%5D=%7B%7D", "json%5B%5D=%7B%7D"] {
      let twice = HookRequest.post(
        "application/x-www-form-urlencoded", "json=%7B%22a%22%3A1%7D&" + extra)
      Self.expectFailure("malformed_body", twice, accepting: [.jsonInFormField])
    }
  }

  // MARK: multipart

  private static let pdfBytes: [UInt8] = [
    0x25, 0x50, 0x44, 0x46, 0x0D, 0x0A, 0x00, 0xFF, 0x2D, 0x2D,
  ]

  private static func multipartBody(boundary: String, close: Bool = true) -> [UInt8] {
    var body: [UInt8] = []
    func line(_ text: String) { body += Array((text + "\r\n").utf8) }
    line("--\(boundary)")
    line("Content-Disposition: form-data; name=\"name\"")
    line("")
    line("Анна")
    line("--\(boundary)")
    line("Content-Disposition: form-data; name=\"message\"")
    line("")
    line("Нужен счёт\r\nна 10 штук")
    line("--\(boundary)")
    line("Content-Disposition: form-data; name=\"files[]\"; filename=\"заявка №1.pdf\"")
    line("Content-Type: application/pdf")
    line("")
    body += pdfBytes
    body += Array("\r\n".utf8)
    line("--\(boundary)")
    line("Content-Disposition: form-data; name=\"empty\"; filename=\"\"")
    line("Content-Type: application/octet-stream")
    line("")
    line("")  // an empty file input: no content, then the line break before the delimiter
    line("--\(boundary)" + (close ? "--" : ""))
    return body
  }

  @Test(arguments: [
    "multipart/form-data; boundary=----inletBoundary7MA4YWxk",
    "multipart/form-data; boundary=\"----inletBoundary7MA4YWxk\"",
    "Multipart/Form-Data;boundary=----inletBoundary7MA4YWxk; charset=utf-8",
  ])
  func multipartTextFieldsAndAFile(_ contentType: String) throws {
    let request = HookRequest.post(
      contentType, bytes: Self.multipartBody(boundary: "----inletBoundary7MA4YWxk"))
    let body = try Self.decode(request)
    #expect(body.fields == .object(["name": "Анна", "message": "Нужен счёт\r\nна 10 штук"]))
    #expect(
      body.files == [
        UploadedFile(
          field: "files[]", filename: "заявка №1.pdf", contentType: "application/pdf",
          data: Self.pdfBytes)
      ])
  }

  /// Browsers send the file name as typed, quoted; only `"`, CR and LF are escaped, so a `;`
  /// inside the quotes belongs to the name.
  @Test func multipartFileNameWithASemicolon() throws {
    let body = [
      "--b0undary",
      "Content-Disposition: form-data; name=\"file\"; filename=\"счёт; копия.pdf\"",
      "Content-Type: application/pdf", "", "%PDF", "--b0undary--", "",
    ].joined(separator: "\r\n")
    let decoded = try Self.decode(.post("multipart/form-data; boundary=b0undary", body))
    #expect(decoded.files.count == 1)
    #expect(decoded.files.first?.filename == "счёт; копия.pdf")
  }

  /// RFC 5987 `filename*` (Python requests, some mailers) wins over `filename`; an old
  /// browser's Windows path keeps its backslashes (the store keeps the last component).
  @Test(arguments: [
    (#"filename*=utf-8''%D0%A1%D1%87%D1%91%D1%82+1.pdf"#, "Счёт+1.pdf"),
    (#"filename="schet.pdf"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82.pdf"#, "Счёт.pdf"),
    (#"filename*=windows-1251''%D1%F7%B8%F2.pdf"#, "Счёт.pdf"),
    (#"filename="C:\Users\Olga\Реквизиты.pdf""#, #"C:\Users\Olga\Реквизиты.pdf"#),
    (#"filename="a \"b\".pdf""#, #"a "b".pdf"#),
  ])
  func multipartFileNameForms(_ parameters: String, expected: String) throws {
    let body = [
      "--b0undary", "Content-Disposition: form-data; name=\"file\"; \(parameters)",
      "Content-Type: application/pdf", "", "%PDF", "--b0undary--", "",
    ].joined(separator: "\r\n")
    let decoded = try Self.decode(.post("multipart/form-data; boundary=b0undary", body))
    #expect(decoded.files.first?.filename == expected)
  }

  @Test(arguments: [
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; charset=utf-8",
  ])
  func multipartWithoutBoundaryIsMalformed(_ contentType: String) {
    Self.expectFailure(
      "malformed_body", .post(contentType, bytes: Self.multipartBody(boundary: "b0undary")))
  }

  @Test func multipartWithoutClosingBoundaryIsMalformed() {
    Self.expectFailure(
      "malformed_body",
      .post(
        "multipart/form-data; boundary=b0undary",
        bytes: Self.multipartBody(boundary: "b0undary", close: false)))
  }

  @Test func multipartCutOffMidPartIsMalformed() {
    let full = Self.multipartBody(boundary: "b0undary")
    Self.expectFailure(
      "malformed_body",
      .post("multipart/form-data; boundary=b0undary", bytes: Array(full.prefix(full.count / 2))))
  }

  @Test(.timeLimit(.minutes(1)))
  func xmlWithManySiblingsIsReadWhole() throws {
    // Beeline's XSI events are XML; 150,000 siblings of one name (≈ 1 MB) become one array.
    let xml =
      "<event><call>" + String(repeating: "<a>1</a>", count: 150_000) + "<b>2</b></call></event>"
    let tree = try XMLTree.parse(Array(xml.utf8))
    let call = tree.object?["event"]?.object?["call"] ?? tree.object?["call"]
    #expect(call?.object?["a"]?.array?.count == 150_000)
    #expect(call?.object?["b"] == "2")
  }

  @Test func xmlCDATAIsText() throws {
    let xml = "<event><name><![CDATA[Иван <Петров>]]></name><n>1</n></event>"
    let tree = try XMLTree.parse(Array(xml.utf8))
    let event = tree.object?["event"] ?? tree
    #expect(event.object?["name"] == "Иван <Петров>", "\(tree)")
  }

  @Test func multipartBoundaryLongerThanTheLimitIsMalformed() throws {
    let longest = String(repeating: "b", count: MultipartParser.maxBoundaryLength)
    let body = try Self.decode(
      .post(
        "multipart/form-data; boundary=\(longest)", bytes: Self.multipartBody(boundary: longest)))
    #expect(body.fields.object?["name"] == "Анна")
    let tooLong = longest + "b"
    Self.expectFailure(
      "malformed_body",
      .post(
        "multipart/form-data; boundary=\(tooLong)", bytes: Self.multipartBody(boundary: tooLong)))
  }

  @Test func multipartWithAnotherBoundaryIsMalformed() {
    Self.expectFailure(
      "malformed_body",
      .post(
        "multipart/form-data; boundary=not-the-one",
        bytes: Self.multipartBody(boundary: "b0undary")))
  }

  // MARK: Media types and GET

  @Test(arguments: [
    ("text/plain", [BodyFormat.json, .form, .multipart]),
    ("application/xml", [.json, .form, .multipart]),
    ("multipart/form-data; boundary=x", [.json, .form]),
    ("application/x-www-form-urlencoded", [.json]),
    ("application/json", [.form, .multipart]),
  ])
  func wrongContentTypeIsUnsupported(contentType: String, formats: [BodyFormat]) {
    Self.expectFailure("unsupported_media_type", .post(contentType, "a=1"), accepting: formats)
  }

  @Test func bodyWithoutContentTypeIsUnsupported() {
    Self.expectFailure("unsupported_media_type", .post(nil, #"{"a":1}"#))
  }

  @Test func getDecodesItsQueryAsAForm() throws {
    let request = HookRequest.get([
      (name: "name", value: "Иван"), (name: "phone", value: "+7 916 123-45-67"),
      (name: "tags[]", value: "a"), (name: "tags[]", value: "b"),
    ])
    let body = try Self.decode(request, accepting: [.json, .form])
    #expect(
      body.fields
        == .object(["name": "Иван", "phone": "+7 916 123-45-67", "tags": .array(["a", "b"])]))
  }

  @Test func emptyPostWithoutContentTypeDecodesItsQuery() throws {
    let request = HookRequest.post(nil, "", query: [(name: "call_id", value: "42")])
    #expect(try Self.decode(request).fields == .object(["call_id": "42"]))
  }

  @Test func getWithoutFormSupportIsUnsupported() {
    Self.expectFailure(
      "unsupported_media_type", .get([(name: "a", value: "1")]), accepting: [.json])
  }
}
