import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import NIOCore

/// Turns a definition's reply template into a response.
enum ReplyRenderer {
  static func response(_ reply: Reply, context: ReplyContext) throws -> Response {
    if let redirect = reply.redirect, isNavigation(context.request) {
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

  /// Whether a browser is submitting a form and will show what it is sent (`Sec-Fetch-Mode:
  /// navigate`, or an `Accept` that names HTML and not JSON): only that is redirected to the
  /// thank-you page. A script's `fetch` (`Accept: */*`), curl or a server-side relay gets the
  /// JSON answer: a redirect would make it follow to another origin and report a failure for a
  /// lead that was stored.
  static func isNavigation(_ request: HookRequest) -> Bool {
    if request.header("x-requested-with") != nil { return false }
    if let mode = request.header("sec-fetch-mode")?.lowercased() { return mode == "navigate" }
    guard let accept = request.header("accept")?.lowercased() else { return false }
    if accept.contains("application/json") || accept.contains("+json") { return false }
    return accept.contains("text/html")
  }
}
