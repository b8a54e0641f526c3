extension EmailNormalizer {
  /// The fast path of ``normalize(_:)`` for plain ASCII addresses (`Ivan.Petrov@Firm.ru`), which
  /// is what nearly every directory and lead carries.
  ///
  /// It decides only when the answer is certain to be the general path's: printable ASCII with
  /// optional spaces around, one `@`, a local part without the characters that need quoting, a
  /// domain of two or more letter-digit-hyphen labels, none of them `xn--`, and a top-level
  /// label that is not all digits. The result is then the trimmed input lower-cased. Anything
  /// else (wrappers, `mailto:`, IDNA, non-ASCII, an implausible shape) is left undecided.
  static func normalizeASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> FastPathResult {
    let range = ASCIIBytes.trimmingSpaces(bytes, 0..<bytes.count)
    if range.isEmpty { return .decided(nil) }
    guard range.count <= maximumLength else { return .undecided }
    var at = -1
    var labelStart = -1
    var labelHasLetter = false
    var labels = 0
    for index in range {
      let byte = bytes[index]
      guard byte > ASCIIBytes.space && byte < 0x7F else { return .undecided }
      if at < 0 {
        if byte == UInt8(ascii: "@") {
          guard index > range.lowerBound else { return .undecided }
          at = index
          labelStart = index + 1
        } else if isLocalSpecial(byte) {
          return .undecided
        }
        continue
      }
      if byte == UInt8(ascii: ".") {
        guard isPlainLabel(bytes, labelStart..<index) else { return .undecided }
        labels += 1
        labelStart = index + 1
        labelHasLetter = false
      } else if ASCIIBytes.isDigit(byte) || byte == UInt8(ascii: "-") {
        continue
      } else if ASCIIBytes.lowercased(byte) &- UInt8(ascii: "a") < 26 {
        labelHasLetter = true
      } else {
        return .undecided
      }
    }
    guard at >= 0, isPlainLabel(bytes, labelStart..<range.upperBound), labelHasLetter,
      labels >= 1
    else { return .undecided }
    return .decided(ASCIIBytes.lowercasedString(bytes, range))
  }

  /// A domain label of letters, digits and inner hyphens, not an IDNA `xn--` label.
  @inline(__always)
  private static func isPlainLabel(_ bytes: UnsafeBufferPointer<UInt8>, _ label: Range<Int>)
    -> Bool
  {
    guard !label.isEmpty, bytes[label.lowerBound] != UInt8(ascii: "-"),
      bytes[label.upperBound - 1] != UInt8(ascii: "-")
    else { return false }
    if label.count >= 4 && bytes[label.lowerBound + 2] == UInt8(ascii: "-")
      && bytes[label.lowerBound + 3] == UInt8(ascii: "-")
      && ASCIIBytes.lowercased(bytes[label.lowerBound]) == UInt8(ascii: "x")
      && ASCIIBytes.lowercased(bytes[label.lowerBound + 1]) == UInt8(ascii: "n")
    {
      return false
    }
    return true
  }

  /// The ASCII characters of `localPartSpecials`.
  @inline(__always)
  private static func isLocalSpecial(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"),
      UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ";"),
      UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""):
      return true
    default:
      return false
    }
  }
}
