/// A whole number read from a provider's text: `42`, `42.0`, `4.2e1`, `60.9` (→ 60). Junk, NaN,
/// the infinities and anything outside `Int64` are `nil` — converting such a `Double` to an
/// integer would stop the process, and a duration, a sequence number or a timestamp in an
/// authenticated event is not trusted to be sane.
public enum WholeNumber {
  public static func parse(_ text: String) -> Int64? {
    if let exact = Int64(text) { return exact }
    guard let number = Double(text) else { return nil }
    return of(number)
  }

  /// The whole part of `number`, when it has one `Int64` can hold.
  public static func of(_ number: Double) -> Int64? {
    guard number.isFinite else { return nil }
    return Int64(exactly: number.rounded(.towardZero))
  }
}
