import Foundation

/// The body decoders a channel definition can accept.
public enum BodyFormat: String, Sendable, CaseIterable, Codable {
  /// `application/json` (or `+json`).
  case json
  /// `application/x-www-form-urlencoded`, or the query string of a GET.
  case form
  /// `multipart/form-data`, file parts become attachments.
  case multipart
  /// A form whose field (named by the definition) holds a JSON document, as Mango Office sends.
  case jsonInFormField = "json-in-form-field"
  /// `application/xml` (or `text/xml`, `+xml`): BroadWorks XSI events (Beeline).
  case xml

  /// The media types each decoder claims.
  func accepts(mediaType: String?) -> Bool {
    switch self {
    case .json:
      guard let mediaType else { return false }
      return mediaType == "application/json" || mediaType.hasSuffix("+json")
        || mediaType == "text/json"
    case .form, .jsonInFormField:
      return mediaType == "application/x-www-form-urlencoded"
    case .multipart:
      return mediaType == "multipart/form-data"
    case .xml:
      guard let mediaType else { return false }
      return mediaType == "application/xml" || mediaType == "text/xml"
        || mediaType.hasSuffix("+xml")
    }
  }
}

/// Why a body could not be decoded; the message is shown to the sender and kept with the raw item.
public struct BodyDecodingError: Error, Sendable, Equatable {
  /// `unsupported_media_type` (415) or `malformed_body` (400).
  public var code: String
  public var message: String

  public init(code: String, message: String) {
    self.code = code
    self.message = message
  }

  static func malformed(_ message: String) -> BodyDecodingError {
    BodyDecodingError(code: "malformed_body", message: message)
  }
}

/// Decodes request bodies with the decoders a definition accepts.
public enum BodyDecoder {
  /// Decodes the body as the definition's `body:` says (formats, JSON field, charset).
  public static func decode(_ request: HookRequest, as spec: ChannelDefinition.BodySpec)
    throws(BodyDecodingError) -> DecodedBody
  {
    try decode(
      request, accepting: spec.accept, jsonField: spec.jsonField,
      legacyCharset: spec.legacyCharset)
  }

  /// Picks the decoder for the request's media type and decodes the body.
  ///
  /// A GET (or a bodyless POST) with no content type decodes its query string as a form when the
  /// definition accepts forms: providers such as Sipuni and Telphin send events that way.
  public static func decode(
    _ request: HookRequest, accepting formats: [BodyFormat], jsonField: String?,
    legacyCharset: LegacyCharset? = nil
  ) throws(BodyDecodingError) -> DecodedBody {
    let mediaType = request.mediaType
    if request.body.isEmpty && (mediaType == nil || request.method == "GET") {
      if formats.contains(.form) || formats.contains(.jsonInFormField) {
        return DecodedBody(fields: formObject(request.query))
      }
    }
    guard let format = formats.first(where: { $0.accepts(mediaType: mediaType) }) else {
      let accepted = formats.map(\.rawValue).joined(separator: ", ")
      throw BodyDecodingError(
        code: "unsupported_media_type",
        message: "Content-Type \(mediaType ?? "(none)") is not accepted here; send one of: "
          + accepted)
    }
    // For text formats, a charset the sender names wins over the definition's fallback: UTF-8
    // means UTF-8 (bytes that are not are a malformed body, kept raw), and a body in one inlet
    // cannot read is refused rather than read as another — unless its fields are UTF-8 anyway
    // (an ASCII form labelled ISO-8859-1, as Java clients send them).
    var legacy = legacyCharset
    var unreadable: String?
    if format == .form || format == .multipart || format == .jsonInFormField,
      let declared = request.contentTypeParameter("charset")?.lowercased()
    {
      if let named = LegacyCharset(rawValue: declared) {
        legacy = named
      } else {
        legacy = nil
        if !["utf-8", "utf8", "us-ascii", "ascii"].contains(declared) { unreadable = declared }
      }
    }
    do {
      return try decode(request, as: format, jsonField: jsonField, legacy: legacy)
    } catch let error where unreadable != nil && error.code == "malformed_body" {
      throw BodyDecodingError(
        code: "unsupported_media_type",
        message: "charset \(unreadable ?? "") is not read here; send UTF-8 or windows-1251")
    }
  }

  private static func decode(
    _ request: HookRequest, as format: BodyFormat, jsonField: String?, legacy: LegacyCharset?
  ) throws(BodyDecodingError) -> DecodedBody {
    switch format {
    case .json:
      return DecodedBody(fields: try decodeJSON(request.body))
    case .form:
      return DecodedBody(fields: try decodeForm(request.body, legacy: legacy))
    case .jsonInFormField:
      let form = try decodeForm(request.body, legacy: legacy)
      let name = jsonField ?? "json"
      guard let field = form.member(name) else {
        throw .malformed("the form has no `\(name)` field with the JSON document")
      }
      // Exactly one plain field: not repeated (an array), not `json[…]` (an object whose text
      // would be its `#text` member) — a signature over the raw field must be over this text.
      guard case .string(let text) = field else {
        throw .malformed("the form's `\(name)` field must be sent once, as plain text")
      }
      let document = try decodeJSON(Array(text.utf8))
      var merged = form.object ?? [:]
      merged[name] = document
      return DecodedBody(fields: .object(merged))
    case .xml:
      return DecodedBody(fields: try XMLTree.parse(request.body))
    case .multipart:
      guard let boundary = request.contentTypeParameter("boundary"), !boundary.isEmpty else {
        throw .malformed("multipart/form-data without a boundary parameter")
      }
      return try MultipartParser.parse(request.body, boundary: boundary, legacy: legacy)
    }
  }

  /// Parses a JSON document into a value tree.
  public static func decodeJSON(_ bytes: [UInt8]) throws(BodyDecodingError) -> Value {
    guard !bytes.isEmpty else { throw .malformed("the body is empty; a JSON document is expected") }
    do {
      // A byte order mark some Windows tools write first is ignored (RFC 8259, section 8.1).
      if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        return try ValueJSON.parse(Array(bytes.dropFirst(3)))
      }
      return try ValueJSON.parse(bytes)
    } catch {
      throw .malformed("the body is not valid JSON (\(error))")
    }
  }

  /// Parses `application/x-www-form-urlencoded` bytes into an object (bracket names nest).
  public static func decodeForm(_ bytes: [UInt8], legacy: LegacyCharset? = nil)
    throws(BodyDecodingError) -> Value
  {
    guard let text = String(validating: bytes, as: UTF8.self) ?? legacy?.decode(bytes) else {
      throw .malformed("the form body is not valid UTF-8")
    }
    if let pairs = FormURLEncoding.parse(text) { return formObject(pairs) }
    if let legacy, let pairs = FormURLEncoding.parse(text, decoding: legacy.decodeText) {
      return formObject(pairs)
    }
    throw .malformed("the form body has a malformed percent-escape or is not UTF-8")
  }

  static func formObject(_ pairs: [(name: String, value: String)]) -> Value {
    // The usual form — plain names, each once (a PBX's event, Mango's three fields) — is its
    // own object; brackets or a repeated name need the tree.
    if !pairs.contains(where: { $0.name.utf8.contains(UInt8(ascii: "[")) }) {
      var members: [String: Value] = [:]
      members.reserveCapacity(pairs.count)
      var repeated = false
      for pair in pairs where members.updateValue(.string(pair.value), forKey: pair.name) != nil {
        repeated = true
        break
      }
      if !repeated { return .object(members) }
    }
    var tree = FormTree()
    for pair in pairs { tree.insert(name: pair.name, value: pair.value) }
    return tree.value
  }

}
