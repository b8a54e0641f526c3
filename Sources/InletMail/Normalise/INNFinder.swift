import InletCore

/// Finds INNs with InletCore's ``INN`` rules, dropping unlabelled ones that are really the
/// digits of a phone number already found.
enum INNFinder {
  private static func hasTenDigitRun(_ text: String) -> Bool {
    func scan(_ bytes: some Sequence<UInt8>) -> Bool {
      var run = 0
      for byte in bytes {
        if byte >= 0x30 && byte <= 0x39 {
          run += 1
          if run >= 10 { return true }
        } else {
          run = 0
        }
      }
      return false
    }
    return text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? scan(text.utf8)
  }

  static func find(in text: String, phones: [String]) -> [String] {
    guard hasTenDigitRun(text) else { return [] }
    let candidates = INN.extract(from: text)
    guard !candidates.isEmpty else { return [] }
    let labelled = ["ИНН", "инн", "Инн", "INN", "inn", "Inn"].contains { text.utf8Contains($0) }
    return candidates.filter { inn in
      if labelled { return true }
      return !phones.contains { $0.hasSuffix(inn) }
    }
  }
}
