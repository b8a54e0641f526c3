import InletCore

/// Finds INNs with InletCore's ``INN`` rules, dropping unlabelled ones that are really the
/// digits of a phone number already found.
enum INNFinder {
  private static func hasTenDigitRun(_ text: String) -> Bool {
    var run = 0
    for byte in text.utf8 {
      if byte >= 0x30 && byte <= 0x39 {
        run += 1
        if run >= 10 { return true }
      } else {
        run = 0
      }
    }
    return false
  }

  static func find(in text: String, phones: [String]) -> [String] {
    guard hasTenDigitRun(text) else { return [] }
    let candidates = INN.extract(from: text)
    guard !candidates.isEmpty else { return [] }
    let lower = text.fastLowercased()
    return candidates.filter { inn in
      if lower.utf8Contains("инн") || lower.utf8Contains("inn") { return true }
      return !phones.contains { $0.hasSuffix(inn) }
    }
  }
}
