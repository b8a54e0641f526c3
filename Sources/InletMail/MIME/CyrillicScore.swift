import Foundation

/// How much a text looks like Russian: frequent letters score high, rare ones low, capitals
/// inside words and pseudographics (what a wrong code page produces) are penalised.
enum CyrillicScore {
  /// Per-mille frequencies of Russian (and a few Ukrainian) lower-case letters.
  private static let frequencies: [(UInt32, Double)] = [
    (0x43E, 110), (0x435, 85), (0x430, 80), (0x438, 74), (0x43D, 67), (0x442, 63), (0x441, 55),
    (0x440, 47), (0x432, 45), (0x43B, 44), (0x43A, 35), (0x43C, 32), (0x434, 30), (0x43F, 28),
    (0x443, 26), (0x44F, 20), (0x44B, 19), (0x44C, 17), (0x433, 17), (0x437, 16), (0x431, 16),
    (0x447, 14), (0x439, 12), (0x445, 10), (0x436, 9), (0x448, 7), (0x44E, 6), (0x446, 5),
    (0x449, 4), (0x44D, 3), (0x444, 3), (0x44A, 0.4), (0x451, 0.4), (0x456, 8), (0x457, 3),
    (0x454, 3), (0x491, 1),
  ]

  /// Log-weights of U+0400...U+04FF by lower-case letter; `nil` for other Cyrillic letters.
  private static let weights: [Double?] = {
    var table = [Double?](repeating: nil, count: 0x100)
    for (scalar, frequency) in frequencies {
      table[Int(scalar - 0x400)] = log(frequency) - 1
    }
    return table
  }()

  /// Maps a Cyrillic capital to its small letter; `nil` when the scalar is not a capital.
  private static func lowerCyrillic(_ value: UInt32) -> UInt32? {
    switch value {
    case 0x410...0x42F: return value + 0x20
    case 0x400...0x40F: return value + 0x50
    case 0x490: return 0x491
    default: return nil
    }
  }

  /// Scores a decoded text; higher is more plausible.
  static func score(_ text: String) -> Double {
    var scorer = Scorer()
    for scalar in text.unicodeScalars { scorer.add(scalar.value) }
    return scorer.total
  }

  /// The score built up one scalar at a time, so a decoder can score as it converts.
  struct Scorer {
    private(set) var total = 0.0
    // Letters of the current word so far, and whether it started with a small letter:
    // capitals after that (`дПВТЩК`) are the signature of a swapped KOI8/cp1251 reading.
    // A word of capitals so far (`СЧЕТ`, `ООО`) is charged for its first one only: a subject
    // or a company written in capitals reads in its code page as well as small letters do.
    private var wordLength = 0
    private var wordStartedLower = false
    private var wordAllCapitals = false

    mutating func add(_ value: UInt32) {
      add(Step(value))
    }

    /// ``add(_:)`` with the scalar's part worked out beforehand (a code page table keeps one
    /// per byte). The operations, and their order, are the same whichever way in.
    mutating func add(_ step: Step) {
      switch step.kind {
      case .cyrillic:
        total += step.weight
        if wordLength == 0 {
          wordStartedLower = step.lower
          wordAllCapitals = !step.lower
          if !step.lower { total -= 0.5 }
        } else if step.lower {
          wordAllCapitals = false
        } else {
          if wordStartedLower { total -= 4 }
          if !wordAllCapitals { total -= 0.5 }
        }
        wordLength += 1
      case .asciiLetter:
        if wordLength == 0 {
          wordStartedLower = step.lower
          wordAllCapitals = false
        }
        wordLength += 1
      case .separator:
        wordLength = 0
      case .foreign:
        wordLength = 0
        total -= step.weight
      }
    }
  }

  /// What one scalar does to a ``Scorer``.
  struct Step: Sendable {
    enum Kind: UInt8, Sendable {
      /// A Cyrillic letter: `weight` added (its frequency's, or -3), capitals penalised.
      case cyrillic
      /// A Latin letter: part of a word, scores nothing.
      case asciiLetter
      /// Anything that ends a word and scores nothing: ASCII punctuation, spaces, digits, and
      /// the typography of Russian text (no-break space, guillemets, dashes, quotes, №).
      case separator
      /// Any other scalar: ends a word, `weight` subtracted (3 for a letter, 5 otherwise).
      case foreign
    }
    var kind: Kind
    var weight = 0.0
    /// A small letter (for Cyrillic and Latin letters).
    var lower = false

    init(_ value: UInt32) {
      if (0x400...0x4FF).contains(value) {
        let small = lowerCyrillic(value)
        kind = .cyrillic
        weight = weights[Int((small ?? value) - 0x400)] ?? -3
        lower = small == nil
        return
      }
      if value < 0x80 {
        if (0x61...0x7A).contains(value | 0x20) {
          kind = .asciiLetter
          lower = value >= 0x61
        } else {
          kind = .separator
        }
        return
      }
      if value == 0xA0 || value == 0xAB || value == 0xBB || value == 0x2116
        || (0x2013...0x201E).contains(value)
      {
        kind = .separator
        return
      }
      kind = .foreign
      weight = (Unicode.Scalar(value)?.properties.isAlphabetic ?? false) ? 3 : 5
    }
  }
}
