import Foundation

/// One inbound webhook request as the listener received it, independent of the HTTP framework.
public struct HookRequest: Sendable {
  /// `GET`, `POST`, …
  public var method: String
  /// The path after `/hooks/{channel}`, starting with `/` (`/events/summary`), or empty.
  public var subpath: String
  /// The query string's parameters, decoded, in order.
  public var query: [(name: String, value: String)]
  /// The raw query string (signatures over the full URL need it as sent).
  public var rawQuery: String?
  /// Header fields, names lower-cased, in order.
  public var headers: [(name: String, value: String)]
  /// The body bytes exactly as received.
  public var body: [UInt8]
  /// The peer's address as text, when known.
  public var remoteAddress: String?
  /// The URL as the provider called it (`http.public_url` + path + query), when configured.
  public var publicURL: String?

  public init(
    method: String, subpath: String = "", query: [(name: String, value: String)] = [],
    rawQuery: String? = nil, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
    remoteAddress: String? = nil
  ) {
    self.method = method.uppercased()
    self.subpath = subpath
    self.query = query
    self.rawQuery = rawQuery
    self.headers = headers.map { (name: $0.name.lowercasedIfNeeded, value: $0.value) }
    self.body = body
    self.remoteAddress = remoteAddress
  }

  /// The first header field with that name (case-insensitive).
  public func header(_ name: String) -> String? {
    let lowered = name.lowercasedIfNeeded
    return headers.first { $0.name == lowered }?.value
  }

  /// The first query parameter with that name.
  public func queryValue(_ name: String) -> String? {
    query.first { $0.name == name }?.value
  }

  /// The media type of the body without parameters, lower-cased (`application/json`).
  public var mediaType: String? {
    guard let contentType = header("content-type") else { return nil }
    let end = contentType.utf8.firstIndex(of: UInt8(ascii: ";")) ?? contentType.endIndex
    let trimmed = contentType[..<end].trimmedSpaces
    if trimmed.isEmpty { return nil }
    return trimmed.lowercasedIfNeeded
  }

  /// One parameter of the `Content-Type` header (`boundary`, `charset`).
  public func contentTypeParameter(_ name: String) -> String? {
    guard let contentType = header("content-type") else { return nil }
    for part in contentType.split(separator: ";").dropFirst() {
      let pieces = part.split(separator: "=", maxSplits: 1)
      guard pieces.count == 2 else { continue }
      let key = pieces[0].trimmedSpaces.lowercased()
      if key == name.lowercased() {
        var value = pieces[1].trimmedSpaces
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
          value = String(value.dropFirst().dropLast())
        }
        return value
      }
    }
    return nil
  }
}
