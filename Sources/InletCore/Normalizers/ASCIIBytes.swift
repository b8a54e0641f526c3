/// Small helpers for the byte-level fast paths of the normalisers.
///
/// The fast paths only ever accept printable ASCII (`0x20...0x7E`): for those bytes a byte is a
/// Unicode scalar and a `Character`, `lowercased()` maps only `A`–`Z`, and the only white space
/// Foundation would trim is the space itself. Anything else goes to the general `String` path.
enum ASCIIBytes {
  static let space: UInt8 = 0x20

  /// Whether `byte` is a digit `0`–`9`.
  @inline(__always)
  static func isDigit(_ byte: UInt8) -> Bool {
    byte &- 0x30 < 10
  }

  /// Space, tab, line feed, vertical tab, form feed or carriage return: the ASCII white space
  /// of `Character.isWhitespace` and of Foundation's `.whitespacesAndNewlines`.
  @inline(__always)
  static func isSpace(_ byte: UInt8) -> Bool {
    byte == space || byte &- 0x09 < 5
  }

  /// `byte` with `A`–`Z` mapped to `a`–`z`.
  @inline(__always)
  static func lowercased(_ byte: UInt8) -> UInt8 {
    byte &- 0x41 < 26 ? byte | 0x20 : byte
  }

  /// `bytes[range]` without spaces (`0x20`) at either end.
  @inline(__always)
  static func trimmingSpaces(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
    -> Range<Int>
  {
    var start = range.lowerBound
    var end = range.upperBound
    while start < end && bytes[start] == space { start += 1 }
    while end > start && bytes[end - 1] == space { end -= 1 }
    return start..<end
  }

  /// A string of `bytes[range]`, which the caller checked to be ASCII, lower-cased.
  static func lowercasedString(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
    -> String
  {
    String(unsafeUninitializedCapacity: range.count) { buffer in
      var out = 0
      for index in range {
        buffer[out] = lowercased(bytes[index])
        out += 1
      }
      return out
    }
  }
}

/// The answer of a normaliser's fast path: the result, or "ask the general path".
enum FastPathResult: Sendable, Equatable {
  /// The result the general path would give.
  case decided(String?)
  /// The input is outside what the fast path handles.
  case undecided
}
