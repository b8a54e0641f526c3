/// Comparisons whose duration does not reveal how much of a secret an attacker guessed.
public enum ConstantTime {
  /// Compares two byte strings in time that depends only on their lengths.
  public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
    var right = rhs.makeIterator()
    for byte in lhs {
      difference |= byte ^ (right.next() ?? 0)
    }
    return difference == 0 && lhs.count == rhs.count
  }

  /// Compares the UTF-8 of two strings.
  public static func equals(_ lhs: String, _ rhs: String) -> Bool {
    equals(Array(lhs.utf8), Array(rhs.utf8))
  }
}
