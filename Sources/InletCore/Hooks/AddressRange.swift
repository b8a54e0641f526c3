import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An IPv4 or IPv6 address or network (`185.45.152.42`, `185.45.152.0/24`, `2a00:1450::/32`):
/// what a channel's `allow_from` lists.
public struct AddressRange: Sendable, Equatable {
  /// The network's bytes (4 or 16) and how many leading bits must match.
  let bytes: [UInt8]
  let prefix: Int

  /// Nil for anything that is not an address or `address/prefix` with a prefix in range.
  public init?(_ text: String) {
    let parts = text.trimmingCharacters(in: .whitespaces).split(
      separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let bytes = Self.parse(String(parts[0])) else { return nil }
    let width = bytes.count * 8
    if parts.count == 2 {
      guard let prefix = Int(parts[1]), (0...width).contains(prefix),
        parts[1].allSatisfy(\.isASCII)
      else { return nil }
      self.prefix = prefix
    } else {
      prefix = width
    }
    self.bytes = bytes
  }

  /// Whether `address` (as a socket reports it; `::ffff:1.2.3.4` counts as `1.2.3.4`) is in
  /// the range.
  public func contains(_ address: String) -> Bool {
    var text = address
    if text.hasPrefix("::ffff:"), text.contains(".") { text.removeFirst("::ffff:".count) }
    guard let other = Self.parse(text), other.count == bytes.count else { return false }
    var remaining = prefix
    for index in bytes.indices where remaining > 0 {
      let bits = min(8, remaining)
      let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
      if bytes[index] & mask != other[index] & mask { return false }
      remaining -= bits
    }
    return true
  }

  /// The 4 or 16 bytes of an IPv4 or IPv6 address.
  public static func parse(_ text: String) -> [UInt8]? {
    if text.contains(":") {
      var bytes = [UInt8](repeating: 0, count: 16)
      let parsed = bytes.withUnsafeMutableBytes { inet_pton(AF_INET6, text, $0.baseAddress) }
      return parsed == 1 ? bytes : nil
    }
    var bytes = [UInt8](repeating: 0, count: 4)
    let parsed = bytes.withUnsafeMutableBytes { inet_pton(AF_INET, text, $0.baseAddress) }
    return parsed == 1 ? bytes : nil
  }
}
