extension Substring {
  /// The text without leading and trailing white space, without Foundation: an import calls
  /// this for every cell of millions of rows, and `trimmingCharacters(in:)` bridges through
  /// `NSString` each time.
  var trimmedSpaces: String {
    let utf8 = self.utf8
    guard let first = utf8.first, let last = utf8.last else { return "" }
    // Most cells have nothing to trim: an ASCII non-space at both ends.
    if first > 0x20 && first < 0x80 && last > 0x20 && last < 0x80 { return String(self) }
    let scalars = unicodeScalars
    var start = scalars.startIndex
    var end = scalars.endIndex
    while start < end && Self.isSpace(scalars[start]) { start = scalars.index(after: start) }
    while end > start {
      let previous = scalars.index(before: end)
      guard Self.isSpace(scalars[previous]) else { break }
      end = previous
    }
    return String(scalars[start..<end])
  }

  private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    scalar.isASCII
      ? scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value)
      : scalar.properties.isWhitespace
  }
}

extension String {
  /// The text without leading and trailing white space (see `Substring.trimmedSpaces`).
  var trimmedSpaces: String {
    // Nothing to trim (an ASCII non-space at both ends): the string itself, not a copy.
    if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20,
      last < 0x80
    {
      return self
    }
    return self[...].trimmedSpaces
  }
}
