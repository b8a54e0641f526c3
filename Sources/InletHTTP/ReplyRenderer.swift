import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import NIOCore

/// Turns a definition's reply template into a response.
enum ReplyRenderer {
  static func response(_ reply: Reply, context: ReplyContext) throws -> Response {
    if let redirect = reply.redirect, isNavigation(context.request) {
      var location = redirect.render(context.resolve)
      if location.hasPrefix("/"), !location.hasPrefix("//"),
        let site = formSite(context.request, allowed: context.options["cors_origins"])
      {
        // A path on the form's own site (`thank_you_url: /spasibo`): the browser would read
        // it against the hook's host, where no such page is.
        location = site + location
      }
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

  /// The origin of the page the form was on: its `Origin` header, else its `Referer`'s scheme,
  /// host and port — one of the channel's `cors_origins` when it lists them; without either
  /// (`Origin: null` and no `Referer`, a strict referrer policy) the one site `cors_origins`
  /// names, if it names one; else nil.
  static func formSite(_ request: HookRequest, allowed: Value?) -> String? {
    let listed = ChannelOptions.strings(allowed).filter { $0 != "*" }
    func acceptable(_ site: String) -> Bool {
      // As a header needs it: ASCII (an internationalised host in its `xn--` form).
      guard site.allSatisfy(\.isASCII), let origin = ChannelOptions.origin(site) else {
        return false
      }
      return listed.isEmpty || listed.contains { ChannelOptions.origin($0) == origin }
    }
    if var origin = request.header("origin")?.trimmingCharacters(in: .whitespaces) {
      while origin.hasSuffix("/") { origin.removeLast() }
      if acceptable(origin) { return origin }
    }
    if let referer = request.header("referer"), let url = URL(string: referer),
      let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
      let host = url.host, !host.isEmpty
    {
      let site =
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)"
        + (url.port.map { ":\($0)" } ?? "")
      if acceptable(site) { return site }
    }
    guard listed.count == 1, var only = listed.first?.trimmingCharacters(in: .whitespaces),
      only.allSatisfy(\.isASCII)
    else { return nil }
    while only.hasSuffix("/") { only.removeLast() }
    return only
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
