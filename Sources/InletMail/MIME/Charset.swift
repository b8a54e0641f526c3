import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Turns bytes in a declared (or undeclared) character set into text.
///
/// Conversion goes through glibc's `iconv`. Declarations in real mail are often wrong, so the
/// rules are: bytes that are valid UTF-8 with at least one multibyte sequence are UTF-8 whatever
/// was declared (no single-byte Cyrillic text forms valid UTF-8 by chance); bytes invalid in the
/// declared set, or with no declaration, are read as the most plausible Cyrillic code page by
/// Russian letter statistics. The result never contains U+FFFD.
public enum Charset {
  /// Cyrillic code pages tried when a declaration is missing or wrong, in tie-break order.
  static let cyrillicCandidates = ["WINDOWS-1251", "KOI8-R", "CP866", "ISO-8859-5", "MAC-CYRILLIC"]

  /// Decodes `bytes` declared as `declared` (a MIME charset name, or `nil`). A byte-order mark
  /// that opens the text (a template saved as "UTF-8 with BOM") is dropped: it is no content,
  /// and it would glue itself to the first word (a form's first label).
  public static func decode(_ bytes: some Collection<UInt8>, declared: String?) -> String {
    let text = decodeKeepingMark(bytes, declared: declared)
    guard text.unicodeScalars.first == "\u{FEFF}" else { return text }
    return String(text.unicodeScalars.dropFirst())
  }

  private static func decodeKeepingMark(_ bytes: some Collection<UInt8>, declared: String?)
    -> String
  {
    let array = Array(bytes)
    if array.allSatisfy({ $0 < 0x80 }) {
      if let declared, isWideCharset(canonicalName(declared)),
        let text = convert(array, from: canonicalName(declared))
      {
        return text
      }
      return String(decoding: array, as: UTF8.self)
    }
    let name = declared.map(canonicalName)
    if let name, isWideCharset(name), let text = convert(array, from: name) { return text }
    if let text = String(validating: array, as: UTF8.self) { return text }
    // UTF-8 damaged here and there (a cut multibyte character: PHP's substr on UTF-8 text)
    // stays UTF-8, minus the broken bytes, rather than becoming a wholesale misreading — also
    // under a single-byte declaration (a windows-1251 template filled with the site's UTF-8):
    // Russian text in a code page is runs of lead bytes, nearly all of them invalid as UTF-8.
    let (multibyte, invalid) = UTF8Validation.census(array, givingUpOnCodePages: true)
    if multibyte >= 4 && invalid * 8 <= multibyte {
      return ByteSearch.removingReplacementCharacters(String(decoding: array, as: UTF8.self))
    }
    guard let name, name != "UTF-8", name != "US-ASCII" else {
      return bestCyrillic(array, declared: nil)
    }
    if cyrillicCandidates.contains(name) { return bestCyrillic(array, declared: name) }
    if isWesternSingleByte(name) && looksCyrillic(array) {
      return bestCyrillic(array, declared: nil)
    }
    if let text = convert(array, from: name) { return text }
    return bestCyrillic(array, declared: nil)
  }

  /// Decodes bytes that came with no declaration at all (raw 8-bit headers).
  public static func detect(_ bytes: some Collection<UInt8>) -> String {
    decode(bytes, declared: nil)
  }

  /// Maps MIME charset aliases onto the names glibc knows.
  public static func canonicalName(_ declared: String) -> String {
    var name: String
    if declared.utf8.allSatisfy({ $0 < 0x80 }) {
      // The usual case (every part of every letter asks): one pass over the ASCII bytes.
      var bytes: [UInt8] = []
      bytes.reserveCapacity(declared.utf8.count)
      for byte in declared.utf8 {
        if byte == UInt8(ascii: "*") { break }  // RFC 2231 language
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\""), UInt8(ascii: "'"): continue
        case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 0x20)
        default: bytes.append(byte)
        }
      }
      name = String(decoding: bytes, as: UTF8.self)
    } else {
      name = String(declared.filter { $0 != " " && $0 != "\t" && $0 != "\"" && $0 != "'" })
        .uppercased()
      if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }  // RFC 2231 language
    }
    switch name {
    case "UTF8", "UTF-8", "UNICODE-1-1-UTF-8", "X-UNICODE20UTF8": return "UTF-8"
    case "WINDOWS-1251", "CP1251", "WIN-1251", "WIN1251", "X-CP1251", "CP-1251", "MS-CYRL":
      return "WINDOWS-1251"
    case "KOI8-R", "KOI8R", "KOI8", "CSKOI8R": return "KOI8-R"
    case "KOI8-U", "KOI8U": return "KOI8-U"
    case "CP866", "IBM866", "866", "CSIBM866", "DOS-866", "X-CP866", "CP-866": return "CP866"
    case "ISO-8859-5", "ISO8859-5", "ISO_8859-5", "CYRILLIC": return "ISO-8859-5"
    case "X-MAC-CYRILLIC", "MAC-CYRILLIC", "MACCYRILLIC", "X-MAC-UKRAINIAN": return "MAC-CYRILLIC"
    case "US-ASCII", "ASCII", "ANSI_X3.4-1968", "DEFAULT", "": return "US-ASCII"
    case "LATIN1", "ISO8859-1", "ISO_8859-1", "L1": return "ISO-8859-1"
    case "CP1252", "WIN-1252", "X-CP1252": return "WINDOWS-1252"
    default: return name
    }
  }

  /// Whether a charset uses more than one byte per ASCII character (UTF-16, UTF-32), where an
  /// all-ASCII check says nothing.
  static func isWideCharset(_ name: String) -> Bool {
    let upper = name.uppercased()
    return upper.hasPrefix("UTF-16") || upper.hasPrefix("UTF-32") || upper.hasPrefix("UCS")
  }

  /// US-ASCII and Latin sets are what clients declare by default; Cyrillic bytes under such a
  /// declaration are a wrong declaration, not Latin text.
  private static func isWesternSingleByte(_ name: String) -> Bool {
    name == "ISO-8859-1" || name == "WINDOWS-1252" || name == "ISO-8859-15"
  }

  /// Whether high bytes dominate enough to be Cyrillic text: Latin text has accents here and
  /// there, Russian text is mostly high bytes. In an HTML document the markup's ASCII letters
  /// may outnumber the text's; then what tells is how the high bytes stand: a Cyrillic word is
  /// a run of them, a Western accent stands alone between ASCII letters.
  private static func looksCyrillic(_ bytes: [UInt8]) -> Bool {
    var high = 0
    var letters = 0
    var inRuns = 0
    var run = 0
    for byte in bytes {
      if byte >= 0xC0 { high += 1 }
      if byte >= 0x80 || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) { letters += 1 }
      if byte >= 0x80 {
        run += 1
        if run == 3 { inRuns += 3 } else if run > 3 { inRuns += 1 }
      } else {
        run = 0
      }
    }
    if letters > 0 && high * 2 > letters { return true }
    let allHigh = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
    return inRuns >= 12 && inRuns * 4 >= allHigh * 3
  }

  /// Picks the Cyrillic code page whose reading looks most like Russian; the declared one
  /// wins unless another is clearly better.
  private static func bestCyrillic(_ bytes: [UInt8], declared: String?) -> String {
    if let declared {
      // A declared code page whose reading already looks like Russian is taken as is.
      let (text, errors, score) = decodeScored(bytes, from: declared)
      let high = bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
      if errors == 0 && score >= Double(high) * 1.5 { return text }
    }
    var best: (text: String, score: Double)?
    var declaredResult: (text: String, score: Double)?
    for name in cyrillicCandidates {
      let (text, errors, plausibility) = decodeScored(bytes, from: name)
      let score = plausibility - Double(errors) * 8
      if name == declared { declaredResult = (text, score) }
      if best == nil || score > best!.score { best = (text, score) }
    }
    if let declaredResult, let best, declaredResult.score >= best.score - 2 {
      return declaredResult.text
    }
    return best?.text ?? String(decoding: bytes, as: UTF8.self)
  }

  /// Decodes skipping invalid bytes, with the reading's ``CyrillicScore``: one pass through a
  /// byte table for the Cyrillic code pages, iconv and a scan for anything else.
  private static func decodeScored(_ bytes: [UInt8], from name: String) -> (String, Int, Double) {
    if let table = SingleByteTable.cyrillic[name] { return table.decode(bytes) }
    let (text, errors) = convertSkippingInvalid(bytes, from: name)
    return (text, errors, CyrillicScore.score(text))
  }

  /// Encodes text into `charset` with iconv (used by tests and tools to make samples).
  public static func convertTo(_ text: String, _ charset: String) -> ([UInt8], Int) {
    let (converted, errors) = run(Array(text.utf8), from: "UTF-8", to: charset, strict: true)
    return (converted, errors)
  }

  /// Converts with iconv; `nil` when the charset is unknown or the bytes are invalid in it.
  public static func convert(_ bytes: [UInt8], from name: String) -> String? {
    let (text, errors) = convertSkippingInvalid(bytes, from: name, strict: true)
    return errors == 0 ? text : nil
  }

  /// Converts with iconv, dropping bytes invalid in the charset and counting them. An unknown
  /// charset counts every byte as invalid.
  static func convertSkippingInvalid(
    _ bytes: [UInt8], from name: String, strict: Bool = false
  ) -> (String, Int) {
    if let table = SingleByteTable.cyrillic[name] {
      let (text, errors, _) = table.decode(bytes, stopAtError: strict)
      return (text, errors)
    }
    return iconvSkippingInvalid(bytes, from: name, strict: strict)
  }

  /// ``convertSkippingInvalid(_:from:strict:)`` through iconv whatever the charset.
  static func iconvSkippingInvalid(
    _ bytes: [UInt8], from name: String, strict: Bool = false
  ) -> (String, Int) {
    let (output, errors) = run(bytes, from: name, to: "UTF-8", strict: strict)
    return (
      ByteSearch.removingReplacementCharacters(String(decoding: output, as: UTF8.self)), errors
    )
  }

  /// One iconv pass; invalid input bytes are skipped (or, `strict`, end the pass) and counted.
  fileprivate static func run(
    _ bytes: [UInt8], from source: String, to target: String, strict: Bool
  ) -> ([UInt8], Int) {
    guard let handle = IconvPool.shared.take(from: source, to: target) else {
      return ([], max(1, bytes.count))
    }
    defer { IconvPool.shared.give(handle, from: source, to: target) }
    var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
    var errors = 0
    var input = bytes
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
      output.withUnsafeMutableBufferPointer { outBuffer in
        var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress)?
          .assumingMemoryBound(to: CChar.self)
        var inLeft = inBuffer.count
        var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(
          outBuffer.baseAddress
        )?.assumingMemoryBound(to: CChar.self)
        var outLeft = outBuffer.count
        while inLeft > 0 {
          let result = iconv(handle, &inPointer, &inLeft, &outPointer, &outLeft)
          if result != -1 { break }
          let code = errno
          if code == EILSEQ || code == EINVAL {
            errors += 1
            if strict { break }
            inPointer = inPointer.map { $0 + 1 }
            inLeft -= 1
          } else {
            errors += inLeft
            break
          }
        }
        return outBuffer.count - outLeft
      }
    }
    return (Array(output[..<produced]), errors)
  }
}

/// A single-byte code page as a table of 256 scalars, built from iconv's own conversion of each
/// byte, so reading through it gives exactly what iconv gives (a byte iconv rejects is skipped
/// and counted) without iconv's per-call cost, and scores the reading in the same pass.
struct SingleByteTable: Sendable {
  private static let rejected = UInt32.max
  /// Each byte's reading: its UTF-8 bytes (packed, first in the low byte; `count` 0 where
  /// iconv refuses the byte) and what it does to the score.
  private let entries: [Entry]

  private struct Entry: Sendable {
    var utf8: UInt32
    var count: UInt8
    var step: CyrillicScore.Step
  }

  /// The tables of ``Charset/cyrillicCandidates`` (a code page iconv cannot read byte by byte
  /// as one scalar each is left out and goes through iconv).
  static let cyrillic: [String: SingleByteTable] = {
    var tables: [String: SingleByteTable] = [:]
    for name in Charset.cyrillicCandidates {
      if let table = SingleByteTable(name) { tables[name] = table }
    }
    return tables
  }()

  init?(_ charset: String) {
    var scalars = [UInt32](repeating: Self.rejected, count: 256)
    for byte in 0...255 {
      let (output, errors) = Charset.run([UInt8(byte)], from: charset, to: "UTF-8", strict: true)
      if errors > 0 { continue }
      let decoded = String(decoding: output, as: UTF8.self).unicodeScalars
      guard decoded.count == 1, let scalar = decoded.first, scalar != "\u{FFFD}",
        scalar.value < 0x10000
      else {
        return nil
      }
      scalars[byte] = scalar.value
    }
    // Every ASCII byte must read as itself, or this is no table for mail text.
    guard (0..<0x80).allSatisfy({ scalars[$0] == UInt32($0) }) else { return nil }
    entries = scalars.map { value in
      guard value != Self.rejected else {
        return Entry(utf8: 0, count: 0, step: CyrillicScore.Step(0))
      }
      // The code pages here stay in the Basic Multilingual Plane: at most three bytes.
      var utf8: UInt32
      var count: UInt8
      if value < 0x80 {
        (utf8, count) = (value, 1)
      } else if value < 0x800 {
        utf8 = (0xC0 | (value >> 6)) | (0x80 | (value & 0x3F)) << 8
        count = 2
      } else {
        utf8 =
          (0xE0 | (value >> 12)) | (0x80 | ((value >> 6) & 0x3F)) << 8
          | (0x80 | (value & 0x3F)) << 16
        count = 3
      }
      return Entry(utf8: utf8, count: count, step: CyrillicScore.Step(value))
    }
  }

  /// The text, the number of rejected bytes (skipped; with `stopAtError` the reading ends at
  /// the first), and the text's ``CyrillicScore``.
  func decode(_ bytes: [UInt8], stopAtError: Bool = false) -> (String, Int, Double) {
    var scorer = CyrillicScore.Scorer()
    var errors = 0
    // Written straight into the string's storage: at most three bytes per byte.
    let text = String(unsafeUninitializedCapacity: bytes.count * 3) { output in
      var written = 0
      entries.withUnsafeBufferPointer { table in
        for byte in bytes {
          let entry = table[Int(byte)]
          if entry.count == 0 {
            errors += 1
            if stopAtError { break }
            continue
          }
          output[written] = UInt8(truncatingIfNeeded: entry.utf8)
          if entry.count > 1 {
            output[written + 1] = UInt8(truncatingIfNeeded: entry.utf8 >> 8)
            if entry.count > 2 { output[written + 2] = UInt8(truncatingIfNeeded: entry.utf8 >> 16) }
          }
          written += Int(entry.count)
          scorer.add(entry.step)
        }
      }
      return written
    }
    return (text, errors, scorer.total)
  }
}
