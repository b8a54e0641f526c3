/// Content-Transfer-Encoding decoders that tolerate what real mailers produce: base64 with
/// bad line lengths, stray characters and padding in the middle; quoted-printable with lower-case
/// hex, broken escapes, long lines and trailing whitespace.
public enum TransferDecoding {
  private static let base64Values: [UInt8] = {
    var table = [UInt8](repeating: 0xFF, count: 256)
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
    // URL-safe alphabet, seen in some webmail output.
    table[Int(UInt8(ascii: "-"))] = 62
    table[Int(UInt8(ascii: "_"))] = 63
    return table
  }()

  /// Decodes a body according to its `Content-Transfer-Encoding` value.
  public static func decode(_ bytes: ArraySlice<UInt8>, encoding: String) -> [UInt8] {
    switch encoding {
    case "base64": return base64(bytes)
    case "quoted-printable": return quotedPrintable(bytes, headerForm: false)
    default: return Array(bytes)
    }
  }

  /// Base64, skipping anything outside the alphabet; `=` ends a quantum so that concatenated
  /// padded blocks decode correctly.
  public static func base64(_ bytes: some Collection<UInt8>) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count * 3 / 4)
    var accumulator: UInt32 = 0
    var bits = 0
    for byte in bytes {
      let value = base64Values[Int(byte)]
      if value == 0xFF {
        if byte == UInt8(ascii: "=") {
          accumulator = 0
          bits = 0
        }
        continue
      }
      accumulator = (accumulator << 6) | UInt32(value)
      bits += 6
      if bits >= 8 {
        bits -= 8
        output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
        accumulator &= (1 << UInt32(bits)) - 1
      }
    }
    return output
  }

  /// Quoted-printable; `headerForm` is RFC 2047's Q encoding (`_` is a space).
  public static func quotedPrintable(_ bytes: some Collection<UInt8>, headerForm: Bool) -> [UInt8] {
    let input = Array(bytes)
    var output: [UInt8] = []
    output.reserveCapacity(input.count)
    var index = 0
    let count = input.count
    while index < count {
      let byte = input[index]
      if byte == UInt8(ascii: "=") {
        if index + 2 < count, let decoded = ByteSearch.hexByte(input[index + 1], input[index + 2]) {
          output.append(decoded)
          index += 3
          continue
        }
        // Soft line break, possibly with trailing whitespace before it.
        var after = index + 1
        while after < count && (input[after] == 0x20 || input[after] == 0x09) { after += 1 }
        if after < count && input[after] == 0x0D { after += 1 }
        if after < count && input[after] == 0x0A {
          index = after + 1
          continue
        }
        if after >= count {
          index = after
          continue
        }
        output.append(byte)
        index += 1
        continue
      }
      if headerForm && byte == UInt8(ascii: "_") {
        output.append(0x20)
        index += 1
        continue
      }
      if !headerForm && (byte == 0x20 || byte == 0x09) {
        // Trailing whitespace before a line break was added in transport: drop it.
        var after = index
        while after < count && (input[after] == 0x20 || input[after] == 0x09) { after += 1 }
        if after < count && (input[after] == 0x0D || input[after] == 0x0A) {
          index = after
          continue
        }
        output.append(contentsOf: input[index..<after])
        index = after
        continue
      }
      output.append(byte)
      index += 1
    }
    return output
  }

}
