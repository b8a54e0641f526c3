/// IMAP's modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable ASCII stands for itself
/// (`&` as `&-`); anything else is UTF-16, base64 with `,` for `/` and no padding, between `&`
/// and `-`.
public enum ModifiedUTF7 {
  private static let alphabet: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

  public static func encode(_ name: String) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(name.utf8.count)
    var pending: [UInt16] = []

    func flush() {
      guard !pending.isEmpty else { return }
      output.append(UInt8(ascii: "&"))
      var bits: UInt32 = 0
      var count = 0
      for unit in pending {
        bits = bits << 16 | UInt32(unit)
        count += 16
        while count >= 6 {
          count -= 6
          output.append(alphabet[Int((bits >> UInt32(count)) & 0x3F)])
        }
        bits &= (1 << UInt32(count)) - 1
      }
      if count > 0 {
        output.append(alphabet[Int((bits << UInt32(6 - count)) & 0x3F)])
      }
      output.append(UInt8(ascii: "-"))
      pending.removeAll(keepingCapacity: true)
    }

    for scalar in name.unicodeScalars {
      if scalar.value >= 0x20 && scalar.value <= 0x7E {
        flush()
        output.append(UInt8(scalar.value))
        if scalar == "&" { output.append(UInt8(ascii: "-")) }
      } else {
        pending.append(contentsOf: scalar.utf16)
      }
    }
    flush()
    return String(decoding: output, as: UTF8.self)
  }

  /// The decoded name, or nil when `name` is not valid modified UTF-7.
  public static func decode(_ name: String) -> String? {
    var units: [UInt16] = []
    units.reserveCapacity(name.utf8.count)
    let bytes = Array(name.utf8)
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      guard byte >= 0x20 && byte <= 0x7E else { return nil }
      guard byte == UInt8(ascii: "&") else {
        units.append(UInt16(byte))
        index += 1
        continue
      }
      index += 1
      guard let end = bytes[index...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
      if end == index {
        units.append(UInt16(UInt8(ascii: "&")))
        index = end + 1
        continue
      }
      var bits: UInt32 = 0
      var count = 0
      let start = units.count
      for symbol in bytes[index..<end] {
        guard let value = sextet(symbol) else { return nil }
        bits = bits << 6 | value
        count += 6
        if count >= 16 {
          count -= 16
          units.append(UInt16(truncatingIfNeeded: bits >> UInt32(count)))
          bits &= (1 << UInt32(count)) - 1
        }
      }
      // Leftover bits are padding: fewer than 6 and zero; an empty run or a run holding only
      // ASCII would not be the shortest encoding.
      guard count < 6, bits == 0, units.count > start else { return nil }
      index = end + 1
    }
    var result = String.UnicodeScalarView()
    var iterator = units.makeIterator()
    var decoder = UTF16()
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar): result.append(scalar)
      case .emptyInput: return String(result)
      case .error: return nil
      }
    }
  }

  private static func sextet(_ symbol: UInt8) -> UInt32? {
    switch symbol {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(symbol - UInt8(ascii: "A"))
    case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(symbol - UInt8(ascii: "a") + 26)
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(symbol - UInt8(ascii: "0") + 52)
    case UInt8(ascii: "+"): return 62
    case UInt8(ascii: ","): return 63
    default: return nil
    }
  }
}
