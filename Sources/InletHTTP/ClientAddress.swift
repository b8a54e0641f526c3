/// The client's address for per-IP limits: the peer, or — only when the peer is one of
/// `http.trusted_proxies` — the right-most address of `X-Forwarded-For` that is not itself a
/// trusted proxy (anything left of it could be forged by the client).
enum ClientAddress {
  static func resolve(peer: String?, forwardedFor: String?, trusted: Set<String>) -> String? {
    guard let peer else { return nil }
    guard trusted.contains(normalized(peer)), let forwardedFor else { return peer }
    let hops = forwardedFor.split(separator: ",").map {
      normalized($0.trimmingCharacters(in: .whitespaces))
    }
    for hop in hops.reversed() where !hop.isEmpty && !trusted.contains(hop) {
      return hop
    }
    return hops.first { !$0.isEmpty } ?? peer
  }

  /// `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) compares as `127.0.0.1`.
  static func normalized(_ address: String) -> String {
    address.hasPrefix("::ffff:") && address.contains(".")
      ? String(address.dropFirst("::ffff:".count)) : address
  }
}
