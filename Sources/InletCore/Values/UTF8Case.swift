/// Letter case on UTF-8 bytes, without making strings.
public enum UTF8Case {
  /// ASCII and Russian capitals lower-cased in place, in UTF-8 (Ё as ё); other bytes as they are.
  public static func lowercaseInPlace(_ bytes: UnsafeMutableBufferPointer<UInt8>) {
    let count = bytes.count
    var index = 0
    while index < count {
      let byte = bytes[index]
      if byte >= 0x41 && byte <= 0x5A {
        bytes[index] = byte | 0x20
      } else if byte == 0xD0 && index + 1 < count {
        let next = bytes[index + 1]
        if next >= 0x90 && next <= 0x9F {
          bytes[index + 1] = next + 0x20  // А-П → а-п
        } else if next >= 0xA0 && next <= 0xAF {
          bytes[index] = 0xD1  // Р-Я → р-я
          bytes[index + 1] = next - 0x20
        } else if next == 0x81 {
          bytes[index] = 0xD1  // Ё → ё
          bytes[index + 1] = 0x91
        }
        index += 1
      }
      index += 1
    }
  }
}
