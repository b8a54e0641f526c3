/// One node of a parsed message: its headers, its still-encoded body and, for multiparts and
/// `message/rfc822`, its children.
public struct MIMEPart: Sendable {
  /// The part's header block.
  public var headers: MIMEHeaders
  /// `Content-Type`, defaulted per RFC 2045 (`text/plain`, or `message/rfc822` in a digest).
  public var contentType: HeaderParameters
  /// `Content-Disposition`, if present.
  public var disposition: HeaderParameters?
  /// `Content-Transfer-Encoding`, lower-cased (`7bit` when absent).
  public var transferEncoding: String
  /// The body as transported (before transfer decoding); empty for multiparts.
  public var body: ArraySlice<UInt8>
  /// Sub-parts of a multipart, or the one encapsulated message of a `message/rfc822`.
  public var children: [MIMEPart]
  /// Whether this part is an encapsulated message (its children hold that message).
  public var isEncapsulatedMessage: Bool

  /// `type/subtype`, lower-cased.
  public var mediaType: String { contentType.value }

  /// Whether the media type is `multipart/*`.
  public var isMultipart: Bool { mediaType.hasPrefix("multipart/") }

  /// The body after transfer decoding.
  public var decodedBody: [UInt8] {
    TransferDecoding.decode(body, encoding: transferEncoding)
  }

  /// The file name from `Content-Disposition` or, failing that, `Content-Type`'s `name`.
  public var fileName: String? {
    let name = disposition?["filename"] ?? contentType["name"]
    return name.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Whether the disposition says the part is a file to save.
  public var isAttachmentDisposition: Bool {
    disposition?.value == "attachment"
  }
}
