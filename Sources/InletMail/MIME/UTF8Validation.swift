/// Fast checks of raw bytes against UTF-8's encoding rules.
enum UTF8Validation {
  /// Whether the bytes are well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
  static func isValid(_ bytes: [UInt8]) -> Bool {
    census(bytes, stopAtFirstError: true).invalid == 0
  }

  /// Counts well-formed multibyte sequences and bytes that are not part of one. With
  /// `givingUpOnCodePages`, the count stops once 64 bytes are invalid and they are more than an
  /// eighth of the sequences: text in a Cyrillic code page (runs of lead bytes) is told within
  /// its first words, not after a pass over the whole body.
  static func census(
    _ bytes: [UInt8], stopAtFirstError: Bool = false, givingUpOnCodePages: Bool = false
  ) -> (multibyte: Int, invalid: Int) {
    var multibyte = 0
    var invalid = 0
    var index = 0
    let count = bytes.count
    while index < count {
      let lead = bytes[index]
      if lead < 0x80 {
        index += 1
        continue
      }
      let length: Int
      var lower: UInt8 = 0x80
      var upper: UInt8 = 0xBF
      switch lead {
      case 0xC2...0xDF: length = 2
      case 0xE0:
        length = 3
        lower = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED:
        length = 3
        upper = 0x9F
      case 0xF0:
        length = 4
        lower = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4:
        length = 4
        upper = 0x8F
      default: length = 0
      }
      var valid = length > 0 && index + length <= count
      if valid {
        let second = bytes[index + 1]
        valid = second >= lower && second <= upper
        var offset = 2
        while valid && offset < length {
          valid = bytes[index + offset] & 0xC0 == 0x80
          offset += 1
        }
      }
      if valid {
        multibyte += 1
        index += length
      } else {
        invalid += 1
        if stopAtFirstError { break }
        if givingUpOnCodePages, invalid >= 64, invalid * 8 > multibyte { break }
        index += 1
      }
    }
    return (multibyte, invalid)
  }

  /// Whether a lead byte followed by a continuation byte occurs anywhere.
  static func hasMultibyteSequence(_ bytes: [UInt8]) -> Bool {
    var index = 0
    while index + 1 < bytes.count {
      if bytes[index] >= 0xC2 && bytes[index] <= 0xF4 && bytes[index + 1] & 0xC0 == 0x80 {
        return true
      }
      index += 1
    }
    return false
  }
}
