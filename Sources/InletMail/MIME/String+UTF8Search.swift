import InletCore

#if canImport(Glibc)
  import Glibc
#endif

extension StringProtocol {
  /// Byte-wise prefix test: no Unicode normalisation, so much faster than `hasPrefix` on
  /// Cyrillic text; both sides are expected in NFC (as mail text and our literals are).
  func utf8HasPrefix(_ prefix: String) -> Bool {
    utf8.starts(with: prefix.utf8)
  }

  /// Byte-wise suffix test.
  func utf8HasSuffix(_ suffix: String) -> Bool {
    let bytes = utf8
    let needle = suffix.utf8
    guard needle.count <= bytes.count else { return false }
    return bytes[bytes.index(bytes.endIndex, offsetBy: -needle.count)...].elementsEqual(needle)
  }

  /// Byte-wise substring search (Foundation's `contains` is slow on Linux).
  func utf8Contains(_ needle: String) -> Bool {
    let found = utf8.withContiguousStorageIfAvailable { haystack in
      ByteSearch.contains(haystack, needle)
    }
    return found ?? ByteSearch.contains(Array(utf8), needle)
  }

  /// The byte offset of the first `byte` in the text's UTF-8 (`memchr` over contiguous bytes).
  func utf8Offset(of byte: UInt8) -> Int? {
    let fast: Int?? = utf8.withContiguousStorageIfAvailable { buffer in
      guard let base = buffer.baseAddress,
        let found = memchr(base, Int32(byte), buffer.count)
      else { return nil }
      return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }
    if let fast { return fast }
    return utf8.firstIndex(of: byte).map { utf8.distance(from: utf8.startIndex, to: $0) }
  }

  /// The lines of the text (split on LF only), as substrings; much cheaper than
  /// `split(separator:)`, which walks grapheme clusters. The line feeds are found with
  /// `memchr` over the contiguous bytes, and each line is cut at its byte offset.
  func lineSlices() -> [SubSequence] {
    let bytes = utf8
    let breaks: [Int]? = bytes.withContiguousStorageIfAvailable { buffer in
      var offsets: [Int] = []
      guard let base = buffer.baseAddress else { return offsets }
      var from = 0
      while from < buffer.count,
        let found = memchr(base + from, 0x0A, buffer.count - from)
      {
        let offset = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
        offsets.append(offset)
        from = offset + 1
      }
      return offsets
    }
    guard let breaks else { return lineSlicesWalking() }
    var lines: [SubSequence] = []
    lines.reserveCapacity(breaks.count + 1)
    var start = bytes.startIndex
    var position = 0
    for offset in breaks {
      // A line feed is its own scalar, so both ends fall on scalar boundaries.
      let end = bytes.index(start, offsetBy: offset - position)
      lines.append(self[start..<end])
      start = bytes.index(after: end)
      position = offset + 1
    }
    lines.append(self[start..<bytes.endIndex])
    return lines
  }

  /// ``lineSlices()`` for text without contiguous bytes (bridged or foreign strings).
  private func lineSlicesWalking() -> [SubSequence] {
    var lines: [SubSequence] = []
    let bytes = utf8
    var start = bytes.startIndex
    var index = start
    while index < bytes.endIndex {
      if bytes[index] == 0x0A {
        lines.append(self[start..<index])
        start = bytes.index(after: index)
      }
      index = bytes.index(after: index)
    }
    lines.append(self[start..<bytes.endIndex])
    return lines
  }
}

/// Substring search over bytes.
enum ByteSearch {
  /// The value of a hexadecimal digit, either case.
  static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    default: return nil
    }
  }

  /// The byte two hexadecimal digits write (`=E0`, `%E0`, `\'e0`).
  static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
    guard let high = hexValue(high), let low = hexValue(low) else { return nil }
    return high << 4 | low
  }

  /// The bytes ``Substring/trimmedASCII()`` trims: space, tab, CR, LF.
  static func isTrimmable(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
  }

  /// `Character.isWhitespace` of an ASCII byte: space and U+0009…U+000D.
  static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
  }

  static func contains(_ haystack: some RandomAccessCollection<UInt8>, _ needle: String) -> Bool {
    // Over contiguous bytes (nearly always: arrays, native strings): `memchr` finds each
    // candidate first byte, `memcmp` checks the rest.
    let fast = haystack.withContiguousStorageIfAvailable { bytes in
      needle.utf8.withContiguousStorageIfAvailable { pattern -> Bool in
        guard let patternBase = pattern.baseAddress, !pattern.isEmpty else { return true }
        guard let base = bytes.baseAddress, pattern.count <= bytes.count else { return false }
        let first = Int32(patternBase.pointee)
        let lastStart = bytes.count - pattern.count
        var from = 0
        while from <= lastStart, let hit = memchr(base + from, first, lastStart - from + 1) {
          let offset = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
          if memcmp(base + offset, patternBase, pattern.count) == 0 { return true }
          from = offset + 1
        }
        return false
      }
    }
    if let fast, let found = fast { return found }
    let found = needle.utf8.withContiguousStorageIfAvailable { pattern in
      contains(haystack, pattern: pattern)
    }
    return found ?? contains(haystack, pattern: Array(needle.utf8))
  }

  static func contains(
    _ haystack: some RandomAccessCollection<UInt8>, pattern: some RandomAccessCollection<UInt8>
  ) -> Bool {
    guard let first = pattern.first else { return true }
    guard pattern.count <= haystack.count else { return false }
    var index = haystack.startIndex
    let last = haystack.index(haystack.endIndex, offsetBy: -pattern.count)
    while index <= last {
      if haystack[index] == first
        && haystack[index..<haystack.index(index, offsetBy: pattern.count)].elementsEqual(pattern)
      {
        return true
      }
      index = haystack.index(after: index)
    }
    return false
  }
}

extension StringProtocol {
  /// Lower-cases ASCII and Russian letters (А-Я, Ё) byte by byte; everything else is kept.
  /// Enough for matching our keyword lists, and far cheaper than Unicode `lowercased()`.
  func fastLowercased() -> String {
    let bytes =
      utf8.withContiguousStorageIfAvailable { ByteSearch.lowercased($0) }
      ?? ByteSearch.lowercased(Array(utf8))
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension ByteSearch {
  /// ``StringProtocol/fastLowercased()`` on UTF-8 bytes, copied in one go and changed in place.
  static func lowercased(_ source: some Collection<UInt8>) -> [UInt8] {
    var bytes = Array(source)
    bytes.withUnsafeMutableBufferPointer { UTF8Case.lowercaseInPlace($0) }
    return bytes
  }

  /// Calls `body` with the first `length` bytes of `source` (fewer if it is shorter),
  /// lower-cased as ``lowercased(_:)`` does, in a buffer on the stack. One byte more is
  /// lower-cased than handed over, so a Cyrillic capital cut at the end is still lower-cased.
  static func withLowercasedHead<Result>(
    of source: some Collection<UInt8>, length: Int,
    _ body: (UnsafeMutableBufferPointer<UInt8>) -> Result
  ) -> Result {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length + 1) { buffer in
      var count = 0
      for byte in source.prefix(length + 1) {
        buffer[count] = byte
        count += 1
      }
      let head = UnsafeMutableBufferPointer(rebasing: buffer[..<count])
      UTF8Case.lowercaseInPlace(head)
      return body(UnsafeMutableBufferPointer(rebasing: head[..<min(count, length)]))
    }
  }

  /// Whether `source`, lower-cased, starts with `prefix` (lower-case bytes).
  static func lowercasedHead(of source: some Collection<UInt8>, startsWith prefix: [UInt8]) -> Bool
  {
    withLowercasedHead(of: source, length: prefix.count) { $0.starts(with: prefix) }
  }

  /// The text without U+FFFD: what a repairing decode put in place of broken bytes goes, found
  /// as its three UTF-8 bytes rather than by walking the scalars.
  static func removingReplacementCharacters(_ text: String) -> String {
    guard text.utf8Contains("\u{FFFD}") else { return text }
    var bytes = Array(text.utf8)
    var write = 0
    var read = 0
    let count = bytes.count
    while read < count {
      if bytes[read] == 0xEF && read + 2 < count && bytes[read + 1] == 0xBF
        && bytes[read + 2] == 0xBD
      {
        read += 3
        continue
      }
      bytes[write] = bytes[read]
      write += 1
      read += 1
    }
    bytes.removeLast(count - write)
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension StringProtocol {
  /// Lower-cases ASCII letters only, for protocol tokens (field names, media types, tags);
  /// returns the text unchanged, without copying its bytes, when it has no capitals.
  func asciiLowercased() -> String {
    guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return String(self) }
    return String(
      decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
  }
}

/// A fixed set of byte patterns looked for again and again (the labels before a number, the
/// legal forms of a company name). A bitmap of the patterns' first two bytes lets nearly every
/// offset go by without a comparison; the patterns with that start are compared only on a hit.
struct BytePatternSet: Sendable {
  private var pairs = [UInt64](repeating: 0, count: 1024)  // one bit per two-byte start
  private var byPair: [UInt16: [[UInt8]]] = [:]
  private var singles: Set<UInt8> = []
  private var matchesEverything = false

  init(_ patterns: [[UInt8]]) {
    for pattern in patterns {
      switch pattern.count {
      case 0: matchesEverything = true
      case 1: singles.insert(pattern[0])
      default:
        let pair = UInt16(pattern[0]) << 8 | UInt16(pattern[1])
        pairs[Int(pair >> 6)] |= 1 << UInt64(pair & 63)
        byPair[pair, default: []].append(pattern)
      }
    }
  }

  func occurs(in window: UnsafeBufferPointer<UInt8>) -> Bool {
    firstOffset(in: window) != nil
  }

  /// Where the first of the patterns starts in `window`, or `nil` when none occurs.
  func firstOffset(in window: UnsafeBufferPointer<UInt8>) -> Int? {
    if matchesEverything { return 0 }
    let count = window.count
    var offset = 0
    while offset < count {
      let byte = window[offset]
      if !singles.isEmpty && singles.contains(byte) { return offset }
      if offset + 1 < count {
        let pair = UInt16(byte) << 8 | UInt16(window[offset + 1])
        if pairs[Int(pair >> 6)] & (1 << UInt64(pair & 63)) != 0,
          let candidates = byPair[pair]
        {
          for pattern in candidates where pattern.count <= count - offset {
            var matched = 2
            while matched < pattern.count && window[offset + matched] == pattern[matched] {
              matched += 1
            }
            if matched == pattern.count { return offset }
          }
        }
      }
      offset += 1
    }
    return nil
  }
}
