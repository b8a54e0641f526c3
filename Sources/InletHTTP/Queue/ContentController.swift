import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import InletStore
import NIOCore

/// `GET /raw/{id}` and `GET /attachments/{id}`: stored bytes exactly as received — except a
/// credential of the channel's inside a raw body (VK's `secret`, MegaFon's `crm_token`): a
/// read-only token must not learn what authenticates webhooks.
struct ContentController {
  let database: InletDatabase
  let channels: ChannelTable

  func register(on group: RouterGroup<InletRequestContext>) {
    group.get("/raw/:id") { _, context in
      let id = context.parameters.get("id") ?? ""
      guard var content = try await database.rawContent(id: id) else {
        throw APIError.notFound("no raw item with id `\(id)`")
      }
      // (A letter carries no webhook credential: it is served as stored.)
      if content.channel != nil, content.contentType != "message/rfc822" {
        content.data = Self.redacted(content.data, channels: channels)
      }
      return Self.response(content)
    }
    group.get("/attachments/:id") { _, context in
      let id = context.parameters.get("id") ?? ""
      guard let content = try await database.attachmentContent(id: id) else {
        throw APIError.notFound("no attachment with id `\(id)`")
      }
      return Self.response(content)
    }
  }

  /// A webhook's raw body without the credentials in it: every configured channel's, not
  /// only its own channel's — a channel renamed (or removed) since the item came keeps its
  /// secret files, and the item names a channel that no longer exists.
  static func redacted(_ data: Data, channels: ChannelTable) -> Data {
    var bytes = Array(data)
    for instance in channels.all { bytes = instance.secrets.redacting(bytes) }
    return Data(bytes)
  }

  /// RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" /
  /// "`" / "|" / "~".
  static let attrChars = Set(
    Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~".utf8))

  static func response(_ content: StoredContent) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = content.contentType
    // Stored bytes come from outside: never let a browser sniff them into something active.
    headers[.xContentTypeOptions] = "nosniff"
    if let name = content.filename {
      // The quoted form for old clients: printable ASCII without `"` and `\`; the exact name in
      // RFC 8187's `filename*`, every byte outside its attr-char set percent-encoded.
      let ascii = String(
        name.unicodeScalars.map {
          (0x20..<0x7F).contains($0.value) && $0 != "\"" && $0 != "\\" ? Character($0) : "_"
        })
      let encoded = FormURLEncoding.percentEncode(name) { Self.attrChars.contains($0) }
      headers[.contentDisposition] =
        "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
    return Response(
      status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: content.data)))
  }
}
