import Foundation

/// Decoder for RFC 3492 Punycode, the encoding behind IDNA `xn--` domain labels.
///
/// Only decoding is needed: addresses arrive ASCII-encoded from mail headers and forms, and we
/// store the human-readable Unicode form so that `info@пример.рф` typed by hand and
/// `info@xn--80ak6aa92e.xn--p1ai` from a header end up as the same contact.
enum Punycode: Sendable {
  // Bootstring parameters fixed by RFC 3492 section 5 for Punycode.
  private static let base = 36
  private static let tMin = 1
  private static let tMax = 26
  private static let skew = 38
  private static let damp = 700
  private static let initialBias = 72
  private static let initialN = 0x80
  private static let delimiter = UInt8(ascii: "-")
  private static let acePrefix = "xn--"

  /// Decodes one domain label.
  ///
  /// The ACE prefix `xn--` is optional and stripped when present, so callers may pass a label
  /// exactly as it appears in a domain.
  /// - Returns: The Unicode label, or `nil` when the input is not valid Punycode (non-ASCII
  ///   input, bad digits, arithmetic overflow, or a code point outside Unicode).
  static func decode(_ label: String) -> String? {
    var input = Array(label.utf8)
    if label.lowercased().hasPrefix(acePrefix) {
      input.removeFirst(acePrefix.utf8.count)
    }
    guard input.allSatisfy({ $0 < 0x80 }) else { return nil }

    // Everything before the last delimiter is copied verbatim; if there is no delimiter the
    // whole input is encoded deltas.
    var output: [Unicode.Scalar] = []
    var position = input.startIndex
    if let lastDelimiter = input.lastIndex(of: delimiter) {
      output = input[..<lastDelimiter].map { Unicode.Scalar($0) }
      position = lastDelimiter + 1
    }

    var n = initialN
    var i = 0
    var bias = initialBias
    while position < input.endIndex {
      let oldI = i
      var weight = 1
      var k = base
      while true {
        guard position < input.endIndex, let digit = digitValue(input[position]) else {
          return nil
        }
        position += 1
        let (product, productOverflow) = digit.multipliedReportingOverflow(by: weight)
        let (sum, sumOverflow) = i.addingReportingOverflow(product)
        guard !productOverflow, !sumOverflow else { return nil }
        i = sum
        let threshold = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
        if digit < threshold { break }
        let (nextWeight, weightOverflow) = weight.multipliedReportingOverflow(
          by: base - threshold)
        guard !weightOverflow else { return nil }
        weight = nextWeight
        k += base
      }
      let length = output.count + 1
      bias = adapt(delta: i - oldI, numPoints: length, firstTime: oldI == 0)
      let (nextN, nOverflow) = n.addingReportingOverflow(i / length)
      guard !nOverflow else { return nil }
      n = nextN
      i %= length
      // Basic code points must be literal, so an encoded one means the input is forged.
      guard n >= initialN, let scalar = Unicode.Scalar(UInt32(clamping: n)),
        Int(scalar.value) == n
      else { return nil }
      output.insert(scalar, at: i)
      i += 1
    }

    var result = String.UnicodeScalarView()
    result.append(contentsOf: output)
    return String(result)
  }

  /// Maps a Punycode digit character to its value; both letter cases are legal per RFC 3492.
  private static func digitValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a"))
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A"))
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0")) + 26
    default: nil
    }
  }

  /// Bias adaptation from RFC 3492 section 6.1.
  private static func adapt(delta: Int, numPoints: Int, firstTime: Bool) -> Int {
    var delta = firstTime ? delta / damp : delta / 2
    delta += delta / numPoints
    var k = 0
    while delta > ((base - tMin) * tMax) / 2 {
      delta /= base - tMin
      k += base
    }
    return k + (base - tMin + 1) * delta / (delta + skew)
  }
}
