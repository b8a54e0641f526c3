/// Letter-case folding of names (field names, header names, media types) without the copy that
/// `lowercased()` makes for text that is already lower-case, which nearly every name is.
///
/// `lowercased()` maps each scalar on its own, so an ASCII prefix lower-cases byte for byte;
/// outside ASCII these fall back to `lowercased()` itself.
extension String {
  /// `lowercased()`, returning the string itself when it is ASCII without a capital letter.
  var lowercasedIfNeeded: String {
    for byte in utf8 where byte >= 0x80 || (byte >= 0x41 && byte <= 0x5A) {
      return lowercased()
    }
    return self
  }

  /// Whether `lowercased()` would leave the string as it is.
  var isLowercase: Bool {
    for byte in utf8 {
      if byte >= 0x80 { return lowercased() == self }
      if byte >= 0x41 && byte <= 0x5A { return false }
    }
    return true
  }

  /// Whether `lowercased() == folded`, compared byte by byte as far as the string is ASCII
  /// (stopping at the first difference).
  func lowercases(to folded: String) -> Bool {
    var bytes = utf8.makeIterator()
    var foldedBytes = folded.utf8.makeIterator()
    while let byte = bytes.next() {
      if byte >= 0x80 { return lowercased() == folded }
      let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
      guard foldedBytes.next() == lowered else { return false }
    }
    return foldedBytes.next() == nil
  }
}
