import Foundation
import HTTPTypes
import Hummingbird
import InletStore
import NIOCore

/// `GET /raw/{id}` and `GET /attachments/{id}`: stored bytes exactly as received.
struct ContentController {
  let database: InletDatabase

  func register(on group: RouterGroup<InletRequestContext>) {
    group.get("/raw/:id") { _, context in
      let id = context.parameters.get("id") ?? ""
      guard let content = try await database.rawContent(id: id) else {
        throw APIError.notFound("no raw item with id `\(id)`")
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

  static func response(_ content: StoredContent) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = content.contentType
    // Stored bytes come from outside: never let a browser sniff them into something active.
    headers[.xContentTypeOptions] = "nosniff"
    if let name = content.filename {
      let ascii = String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" ? Character($0) : "_" })
      let encoded =
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
      headers[.contentDisposition] =
        "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
    return Response(
      status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: content.data)))
  }
}
