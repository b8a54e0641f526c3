/// MAPI's compressed RTF (`PR_RTF_COMPRESSED`, [MS-OXRTFCP]): a 16-byte header (compressed
/// size, raw size, `LZFu` or `MELA`, CRC), then LZ77 runs over a 4,096-byte dictionary that
/// starts with a fixed RTF preamble. Each control byte's bits, lowest first, say whether the
/// next item is a literal byte or a big-endian reference (12-bit offset, 4-bit length − 2); a
/// reference to the write position ends the data.
enum CompressedRTF {
  /// The dictionary's first bytes.
  private static let preamble = Array(
    ("{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern "
      + "\\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0"
      + "\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx").utf8)

  /// The largest RTF inlet expands (a letter's text; the rest is pictures).
  static let maximumBytes = 8 << 20

  static func decompress(_ bytes: [UInt8]) -> [UInt8]? {
    var header = TNEF.Reader(bytes)
    guard let compressedSize = header.u32(), let rawSize = header.u32(), let kind = header.u32(),
      header.u32() != nil
    else { return nil }
    let end = min(bytes.count, Int(compressedSize) + 4)
    guard end >= 16 else { return nil }
    if kind == 0x414C_454D {  // "MELA": stored uncompressed
      return Array(bytes[16..<min(end, 16 + Int(rawSize))])
    }
    guard kind == 0x7546_5A4C else { return nil }  // "LZFu"
    var dictionary = [UInt8](repeating: 0, count: 4096)
    dictionary.replaceSubrange(0..<preamble.count, with: preamble)
    var write = preamble.count
    var output: [UInt8] = []
    output.reserveCapacity(min(Int(rawSize), maximumBytes))
    var index = 16
    while index < end {
      let control = bytes[index]
      index += 1
      for bit in 0..<8 {
        guard index < end, output.count < maximumBytes else { return output }
        if control & (1 << bit) == 0 {
          let byte = bytes[index]
          index += 1
          output.append(byte)
          dictionary[write] = byte
          write = (write + 1) & 0xFFF
        } else {
          guard index + 1 < end else { return output }
          let token = Int(bytes[index]) << 8 | Int(bytes[index + 1])
          index += 2
          let offset = token >> 4
          let length = (token & 0xF) + 2
          if offset == write { return output }
          for step in 0..<length {
            let byte = dictionary[(offset + step) & 0xFFF]
            output.append(byte)
            dictionary[write] = byte
            write = (write + 1) & 0xFFF
          }
        }
      }
    }
    return output
  }
}

/// The text of an RTF document, as Outlook writes a letter: paragraphs and line breaks as new
/// lines, `\'hh` in the document's code page (`\ansicpg1251`), `\uN` as Unicode (its fallback
/// characters skipped), and without what is no text — font and colour tables, pictures,
/// ignorable destinations (`{\*…}`, which hold an HTML letter's tags) and the parts an HTML
/// letter's RTF shows only in RTF (`\htmlrtf` … `\htmlrtf0`).
enum RTFText {
  private static let skippedDestinations: Set<String> = [
    "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "header", "footer",
    "headerl", "headerr", "footerl", "footerr", "xmlnstbl", "listtable", "listoverridetable",
    "rsidtbl", "generator", "themedata", "colorschememapping", "latentstyles", "datastore",
    "mmathPr", "fldinst",
  ]

  /// Symbols written as control words.
  private static let symbols: [String: String] = [
    "emdash": "—", "endash": "–", "lquote": "‘", "rquote": "’", "ldblquote": "“",
    "rdblquote": "”", "bullet": "•",
  ]

  static func text(of rtf: [UInt8]) -> String {
    var state = State()
    var stack: [State] = []
    // Shown bytes in the document's code page (an ASCII superset), decoded together: the
    // charset guess sees the whole text, and a word costs no conversion of its own.
    var bytes: [UInt8] = []
    var out = ""
    var codepage = 1252
    func flush() {
      guard !bytes.isEmpty else { return }
      out += TNEF.text(bytes, codepage: UInt32(codepage))
      bytes.removeAll()
    }
    /// A shown byte of the code page (ASCII included).
    func show(_ byte: UInt8) {
      if state.shows { bytes.append(byte) }
    }
    /// Shown text that is no byte of the code page (`\uN`, a symbol).
    func show(_ text: String) {
      guard state.shows else { return }
      flush()
      out += text
    }
    var index = 0
    var skipFallback = 0
    while index < rtf.count {
      let byte = rtf[index]
      switch byte {
      case UInt8(ascii: "{"):
        stack.append(state)
        if stack.count > 200 {
          flush()
          return out
        }
        index += 1
      case UInt8(ascii: "}"):
        state = stack.popLast() ?? State()
        index += 1
      case UInt8(ascii: "\\"):
        index += 1
        guard index < rtf.count else { break }
        let next = rtf[index]
        if next == UInt8(ascii: "'") {
          // A byte in the code page.
          guard index + 2 < rtf.count,
            let value = ByteSearch.hexByte(rtf[index + 1], rtf[index + 2])
          else {
            index += 1
            break
          }
          index += 3
          if skipFallback > 0 { skipFallback -= 1 } else { show(value) }
          continue
        }
        if !isLetter(next) {
          // A control symbol: `\{`, `\}`, `\\` are text; `\*` marks an ignorable destination;
          // `\~` a no-break space, `\-` an optional hyphen.
          index += 1
          switch next {
          case UInt8(ascii: "*"): state.skip = true
          case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\\"): show(next)
          case UInt8(ascii: "~"): show("\u{A0}")
          case 0x0A, 0x0D: show(0x0A)
          default: break
          }
          continue
        }
        var end = index
        while end < rtf.count, isLetter(rtf[end]), end - index < 32 { end += 1 }
        let word = String(decoding: rtf[index..<end], as: UTF8.self)
        var numberEnd = end
        if numberEnd < rtf.count, rtf[numberEnd] == UInt8(ascii: "-") { numberEnd += 1 }
        while numberEnd < rtf.count, isDigit(rtf[numberEnd]), numberEnd - end < 11 {
          numberEnd += 1
        }
        let parameter = Int(String(decoding: rtf[end..<numberEnd], as: UTF8.self))
        index = numberEnd
        if index < rtf.count, rtf[index] == UInt8(ascii: " ") { index += 1 }
        if skipFallback > 0 { skipFallback = 0 }
        switch word {
        case "par", "line", "row": show(0x0A)
        case "tab", "cell": show(0x09)
        case "ansicpg":
          if let page = parameter, (1...65535).contains(page) {
            flush()  // what came before is in the page it came in
            codepage = page
          }
        case "uc": state.fallback = min(max(0, parameter ?? 1), 16)
        case "u":
          if var value = parameter {
            // A signed 16-bit value (`\u-1000`); anything else is no character.
            if value < 0 { value += 65536 }
            if let code = UInt32(exactly: value), let scalar = Unicode.Scalar(code) {
              show(String(scalar))
            }
            skipFallback = state.fallback
          }
        case "htmlrtf": state.htmlOnly = (parameter ?? 1) != 0
        case "bin": index += max(0, min(parameter ?? 0, rtf.count - index))
        default:
          if let symbol = symbols[word] {
            show(symbol)
          } else if skippedDestinations.contains(word) {
            state.skip = true
          }
        }
      case 0x0A, 0x0D, 0x00:
        index += 1
      default:
        if skipFallback > 0 { skipFallback -= 1 } else { show(byte) }
        index += 1
      }
    }
    flush()
    return out
  }

  private struct State {
    /// In a destination that holds no text.
    var skip = false
    /// Between `\htmlrtf` and `\htmlrtf0`: shown in RTF only, not part of the HTML letter.
    var htmlOnly = false
    /// Characters that stand in for a `\u` character (`\ucN`).
    var fallback = 1

    var shows: Bool { !skip && !htmlOnly }
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= 0x30 && byte <= 0x39
  }
}
