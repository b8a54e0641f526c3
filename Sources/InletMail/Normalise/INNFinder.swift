import InletCore

/// Finds INNs with InletCore's ``INN`` rules, dropping unlabelled ones that are really the
/// digits of a phone number already found.
enum INNFinder {
  static func hasTenDigitRun(_ text: String) -> Bool {
    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    // A run of ten digits covers one of every ten consecutive offsets: only every tenth byte
    // is looked at, and the run measured around it when it is a digit.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
      var probe = 9
      while probe < bytes.count {
        if isDigit(bytes[probe]) {
          var start = probe
          while start > 0 && isDigit(bytes[start - 1]) { start -= 1 }
          var end = probe + 1
          while end < bytes.count && isDigit(bytes[end]) && end - start < 10 { end += 1 }
          if end - start >= 10 { return true }
          probe = end + 9
        } else {
          probe += 10
        }
      }
      return false
    }
    if let found = text.utf8.withContiguousStorageIfAvailable(scan) { return found }
    return Array(text.utf8).withUnsafeBufferPointer(scan)
  }

  static func find(in text: String, phones: [String]) -> [String] {
    guard hasTenDigitRun(text) else { return [] }
    // An INN with its own label stands; one without is dropped when it is the digits of a
    // phone found (`Инна Петрова, моб. 9161234510`: «Инна» labels nothing).
    return INN.extractLabelled(from: text).filter { candidate in
      candidate.labelled || !phones.contains { $0.hasSuffix(candidate.inn) }
    }.map(\.inn)
  }
}
