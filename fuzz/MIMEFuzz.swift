// libFuzzer entry point for the MIME parser and header decoder. Built by scripts/fuzz-mime
// together with Sources/InletMail/MIME/*.swift only, so it never sees the rest of the target.

@_cdecl("LLVMFuzzerTestOneInput")
public func mimeFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  guard let data else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  if let message = MIMEParser.parse(bytes) {
    let body = BodyExtractor.extract(message)
    _ = body.text.utf8.count
    for field in message.root.headers.fields {
      _ = HeaderText.decode(field.value)
      _ = AddressParser.parse(field.value)
      _ = HeaderParameters.parse(field.value)
    }
    if let date = message.root.headers.text("date") { _ = MailDate.parse(date) }
  }
  // The header decoders also see the raw input directly.
  _ = HeaderText.decode(bytes.prefix(4096))
  _ = Charset.detect(bytes.prefix(4096))
  _ = HTMLText.text(from: String(decoding: bytes.prefix(8192), as: UTF8.self))
  return 0
}
