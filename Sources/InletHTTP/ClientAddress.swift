import HTTPTypes
import InletCore

private let forwardedForField = HTTPField.Name("X-Forwarded-For")!

/// The client's address for per-IP limits: the peer, or — only when the peer is one of
/// `http.trusted_proxies` — the right-most address of `X-Forwarded-For` that is not itself a
/// trusted proxy (anything left of it could be forged by the client).
enum ClientAddress {
  static func resolve(peer: String?, forwardedFor: String?, trusted: Set<String>) -> String? {
    guard let peer = peer.map(normalized) else { return nil }
    // An IPv4 peer on a dual-stack listener (`http.host: "::"`) is `::ffff:a.b.c.d`: read as
    // IPv6 its /64 would be every IPv4 client's, one limit for them all.
    guard trusted.contains(peer), let forwardedFor else { return peer }
    let hops = forwardedFor.split(separator: ",").map {
      normalized($0.trimmingCharacters(in: .whitespaces))
    }
    for hop in hops.reversed() where !hop.isEmpty && !trusted.contains(hop) {
      return hop
    }
    return hops.first { !$0.isEmpty } ?? peer
  }

  /// Every `X-Forwarded-For` line as one list, in order (nil without any): a proxy that adds
  /// its own line rather than extending the client's puts the address it saw last.
  static func forwardedFor(_ headers: HTTPFields) -> String? {
    let lines = headers[values: forwardedForField]
    return lines.isEmpty ? nil : lines.joined(separator: ",")
  }

  /// `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) compares as `127.0.0.1`; a hop
  /// some proxies write with its port (`1.2.3.4:5678`, `[2001:db8::1]:443`) as its address.
  static func normalized(_ address: String) -> String {
    var address = address
    if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
      address = String(address[address.index(after: address.startIndex)..<end])
    } else if address.filter({ $0 == ":" }).count == 1, address.contains("."),
      let colon = address.firstIndex(of: ":")
    {
      address = String(address[..<colon])
    }
    return address.hasPrefix("::ffff:") && address.contains(".")
      ? String(address.dropFirst("::ffff:".count)) : address
  }

  /// The key a per-IP limit counts by: an IPv4 address itself, an IPv6 address by its /64 (one
  /// subscriber's network: a client must not escape the limit by cycling through its own
  /// addresses).
  static func limitKey(_ address: String) -> String {
    guard address.contains(":"), let bytes = AddressRange.parse(address), bytes.count == 16
    else { return address }
    // An IPv4-mapped address however it is written (`::ffff:cb00:7107`) is its IPv4 address.
    if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
      return bytes[12...].map(String.init).joined(separator: ".")
    }
    var groups: [String] = []
    for index in stride(from: 0, to: 8, by: 2) {
      groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
    }
    return groups.joined(separator: ":") + "::/64"
  }
}
