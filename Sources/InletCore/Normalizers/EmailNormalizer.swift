import Foundation

/// Canonicalises e-mail addresses so that the same mailbox always maps to the same contact key.
///
/// The goal is deduplication, not RFC 5322 validation: we accept the shapes people actually type
/// or that mail headers carry, and refuse anything we would have to guess about.
public enum EmailNormalizer: Sendable {
  /// RFC 5321 caps a forward path at 256 octets including the angle brackets.
  static let maximumLength = 254

  /// Characters that are only legal inside a quoted local part; quoted local parts are so rare
  /// in real leads that seeing one almost always means a pasted fragment, not an address.
  private static let localPartSpecials: Set<Character> = [
    "<", ">", "(", ")", "[", "]", ",", ";", ":", "\\", "\"",
  ]

  /// Normalises a raw address.
  ///
  /// Accepts surrounding whitespace, angle brackets and a `mailto:` scheme, lower-cases the
  /// whole address (mailbox case-sensitivity is a theoretical RFC allowance no provider uses)
  /// and turns `xn--` domain labels into Unicode.
  /// - Returns: The canonical address, or `nil` when the input is not a plausible address.
  public static func normalize(_ raw: String) -> String? {
    let fast = raw.utf8.withContiguousStorageIfAvailable(normalizeASCII)
    if case .some(.decided(let result)) = fast { return result }
    return normalizeGeneral(raw)
  }

  /// ``normalize(_:)`` of UTF-8 text, without making a `String` of it when the fast path can
  /// decide.
  public static func normalize(utf8 bytes: UnsafeBufferPointer<UInt8>) -> String? {
    if case .decided(let result) = normalizeASCII(bytes) { return result }
    return normalizeGeneral(String(decoding: bytes, as: UTF8.self))
  }

  /// The general path, for any text; ``normalize(_:)`` gives the same answers faster.
  static func normalizeGeneral(_ raw: String) -> String? {
    let candidate = stripWrapping(raw)
    guard !candidate.isEmpty, candidate.unicodeScalars.count <= maximumLength else { return nil }

    let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    let local = parts[0].lowercased()
    guard isPlausibleLocalPart(local), let domain = normalizeDomain(String(parts[1])) else {
      return nil
    }
    return local + "@" + domain
  }

  /// Removes the wrappers an address picks up in headers and links, in the order they nest:
  /// `<mailto:user@host?subject=...>`.
  private static func stripWrapping(_ raw: String) -> String {
    var text = raw.trimmedSpaces
    if text.hasPrefix("<") && text.hasSuffix(">") && text.count >= 2 {
      text = text.dropFirst().dropLast().trimmedSpaces
    }
    if text.lowercased().hasPrefix("mailto:") {
      text = String(text.dropFirst("mailto:".count))
      // A mailto URI may carry headers after `?`; they are not part of the address.
      if let query = text.firstIndex(of: "?") {
        text = String(text[..<query])
      }
    }
    return text
  }

  private static func isPlausibleLocalPart(_ local: String) -> Bool {
    guard !local.isEmpty else { return false }
    return local.unicodeScalars.allSatisfy { scalar in
      !isSpaceOrControl(scalar) && !localPartSpecials.contains(Character(scalar))
    }
  }

  /// Lower-cases the domain and decodes IDNA labels; returns `nil` for anything that could not
  /// be a routable host name.
  private static func normalizeDomain(_ raw: String) -> String? {
    let labels = raw.split(separator: ".", omittingEmptySubsequences: false)
    // Two labels at least: a bare `localhost`-style name never reaches us from a real lead.
    guard labels.count >= 2 else { return nil }
    var decoded: [String] = []
    for label in labels {
      guard !label.isEmpty, label.first != "-", label.last != "-" else { return nil }
      var text = label.lowercased()
      if text.hasPrefix("xn--") {
        guard let unicode = Punycode.decode(text), !unicode.isEmpty else { return nil }
        text = unicode.lowercased()
      }
      guard text.unicodeScalars.allSatisfy(isHostNameScalar) else { return nil }
      decoded.append(text)
    }
    // No TLD is numeric, so an all-digit last label means a bare IP address or a typo.
    guard let topLevel = decoded.last, !topLevel.allSatisfy(\.isNumber) else { return nil }
    return decoded.joined(separator: ".")
  }

  /// ASCII host names are limited to LDH; beyond ASCII we accept the letters, marks and digits
  /// that IDNA permits in practice rather than carrying the full IDNA 2008 tables.
  private static func isHostNameScalar(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.isASCII {
      return ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }
    let properties = scalar.properties
    return properties.isAlphabetic || properties.numericType != nil
      || properties.generalCategory == .nonspacingMark
      || properties.generalCategory == .spacingMark
  }

  private static func isSpaceOrControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
      || scalar.properties.generalCategory == .format
  }
}

extension EmailNormalizer {
  /// The first e-mail address written in `text` (`ivan@mail.ru`, `<ivan@mail.ru>,`), normalised.
  public static func first(in text: String) -> String? {
    guard text.utf8.contains(UInt8(ascii: "@")) else { return nil }
    let edges: Set<Character> = [
      "<", ">", "(", ")", "[", "]", ",", ";", ":", ".", "\"", "'", "«", "»",
    ]
    for word in text.split(whereSeparator: { $0.isWhitespace }) where word.contains("@") {
      var token = Substring(word)
      while let first = token.first, edges.contains(first) { token = token.dropFirst() }
      while let last = token.last, edges.contains(last) { token = token.dropLast() }
      if token.hasPrefix("mailto:") { token = token.dropFirst(7) }
      if let email = normalize(String(token)) { return email }
    }
    return nil
  }
}
