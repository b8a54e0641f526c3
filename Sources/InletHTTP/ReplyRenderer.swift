import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import NIOCore

/// Turns a definition's reply template into a response.
enum ReplyRenderer {
  static func response(_ reply: Reply, context: ReplyContext) throws -> Response {
    if let redirect = reply.redirect, !wantsJSON(context.request) {
      let location = redirect.render(context.resolve)
      if !location.isEmpty {
        // A plain HTML form: the browser goes on to the thank-you page.
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
      }
    }
    var headers = HTTPFields()
    var body = ByteBuffer()
    if let json = reply.jsonTemplate {
      let rendered = json.render(context.resolve)
      body = ByteBuffer(bytes: ValueJSON.serialize(rendered))
      headers[.contentType] = reply.contentType ?? "application/json; charset=utf-8"
    } else if let text = reply.text {
      body = ByteBuffer(string: text.render(context.resolve))
      headers[.contentType] = reply.contentType ?? "text/plain; charset=utf-8"
    }
    for (name, template) in reply.headers {
      if let field = HTTPField.Name(name) { headers[field] = template.render(context.resolve) }
    }
    return Response(
      status: HTTPResponse.Status(code: reply.status), headers: headers,
      body: .init(byteBuffer: body))
  }

  /// Whether the client asked for JSON (a script's `fetch` with `Accept: application/json`, or
  /// `X-Requested-With`) rather than being a browser submitting a form.
  static func wantsJSON(_ request: HookRequest) -> Bool {
    if request.header("x-requested-with") != nil { return true }
    guard let accept = request.header("accept")?.lowercased() else { return false }
    return accept.contains("application/json") || accept.contains("+json")
  }
}
