/// Turns HTML mail into readable text: paragraphs and line breaks kept, links written as
/// `text (url)`, scripts, styles and the head dropped, entities decoded.
public enum HTMLText {
  private static let skippedElements: Set<String> = ["script", "style", "head", "title", "xml"]
  private static let paragraphElements: Set<String> = [
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "ul", "ol", "pre", "hr",
    "address", "dl",
  ]
  private static let lineElements: Set<String> = [
    "div", "tr", "li", "br", "section", "article", "header", "footer", "form", "dt", "dd",
    "center", "tbody", "thead", "caption",
  ]
  private static let entities: [String: String] = [
    "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«",
    "raquo": "»", "mdash": "—", "ndash": "–", "hellip": "…", "copy": "©", "reg": "®",
    "trade": "™", "bull": "•", "middot": "·", "shy": "", "euro": "€", "rsquo": "’",
    "lsquo": "‘", "ldquo": "“", "rdquo": "”", "sbquo": "‚", "bdquo": "„", "times": "×",
    "deg": "°", "minus": "−", "numero": "№", "zwnj": "", "zwj": "", "thinsp": " ",
    "ensp": " ", "emsp": " ",
  ]

  private struct Writer {
    var output: [UInt8] = []
    var pendingBreaks = 0
    var pendingSpace = false
    /// A table cell opened after text on its line: a tab parts it from the cell before (a
    /// form's row `<td>Имя</td><td>Иван</td>` reads as a label and its value).
    var pendingCell = false

    mutating func emit<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
      if !output.isEmpty {
        if pendingBreaks > 0 {
          while let last = output.last, last == 0x20 || last == 0x09 { output.removeLast() }
          output.append(contentsOf: repeatElement(0x0A, count: pendingBreaks))
        } else if pendingCell, let last = output.last, last != 0x0A {
          while let last = output.last, last == 0x20 || last == 0x09 { output.removeLast() }
          output.append(0x09)
        } else if pendingSpace, let last = output.last, last != 0x0A, last != 0x20, last != 0x09 {
          output.append(0x20)
        }
      }
      pendingBreaks = 0
      pendingSpace = false
      pendingCell = false
      output.append(contentsOf: bytes)
    }

    mutating func lineBreak(_ count: Int) {
      if !output.isEmpty { pendingBreaks = max(pendingBreaks, count) }
      pendingSpace = false
      pendingCell = false
    }
  }

  /// Converts an HTML document or fragment to text.
  public static func text(from html: String) -> String {
    let bytes = Array(html.utf8)
    var writer = Writer()
    var index = 0
    var link: (href: String, start: Int)?
    var preformatted = 0
    var openBlocks: [Int] = []
    var unclosed: Set<String> = []
    let count = bytes.count
    // The bytes read by tags that came to nothing are bounded: `<a<a<a…` without a `>`, or
    // with its one `>` inside a quote nothing closes, was read to the end from every `<`. Past
    // the bound a `<` is text (no tag could have been read there anyway).
    var wasted = 0
    let wasteBound = 4 * count + 65_536
    while index < count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "<") {
        if hasPrefix(bytes, index, "<!--") {
          index = find(bytes, from: index + 4, "-->").map { $0 + 3 } ?? count
          continue
        }
        var reached = index
        guard wasted < wasteBound, let tag = parseTag(bytes, at: index, reached: &reached)
        else {
          wasted += reached - index
          writer.emit(CollectionOfOne(byte))
          index += 1
          continue
        }
        index = tag.end
        if !tag.closing && skippedElements.contains(tag.name) && !tag.selfClosing {
          // Without its end tag (`</head>` is optional in HTML5) an element hides nothing
          // after it: a head ends where the body starts, anything else is only its tag.
          // Once an end tag was not found, it is not looked for again (each search reads on
          // to the end).
          if !unclosed.contains(tag.name),
            let closing = findClosing(bytes, from: index, name: tag.name)
          {
            index = closing
          } else {
            unclosed.insert(tag.name)
            if tag.name == "head", let body = find(bytes, from: index, "<body") { index = body }
          }
          continue
        }
        switch tag.name {
        case "br":
          if !writer.output.isEmpty { writer.pendingBreaks = min(writer.pendingBreaks + 1, 3) }
          writer.pendingSpace = false
        case "a":
          if tag.closing {
            if let open = link { appendLink(&writer, href: open.href, textStart: open.start) }
            link = nil
          } else if let href = tag.attributes["href"] {
            link = (href, writer.output.count)
          }
        case "div", "p":
          // An empty block (`<div><br></div>`, `<div>&nbsp;</div>`) is a blank line.
          if tag.closing {
            let start = openBlocks.popLast() ?? -1
            writer.lineBreak(start == writer.output.count ? 2 : (tag.name == "p" ? 2 : 1))
          } else {
            if openBlocks.count < 256 { openBlocks.append(writer.output.count) }
            writer.lineBreak(tag.name == "p" ? 2 : 1)
          }
        case "li":
          if !tag.closing {
            writer.lineBreak(1)
            writer.emit("- ".utf8)
          }
        case "td", "th":
          if !tag.closing { writer.pendingCell = true }
        case "img":
          if let alt = tag.attributes["alt"], !alt.isEmpty, link != nil { writer.emit(alt.utf8) }
        case "pre":
          preformatted += tag.closing ? -1 : 1
          preformatted = max(0, preformatted)
          writer.lineBreak(2)
        default:
          if paragraphElements.contains(tag.name) {
            writer.lineBreak(2)
          } else if lineElements.contains(tag.name) {
            writer.lineBreak(1)
          }
        }
        continue
      }
      if byte == UInt8(ascii: "&") {
        let (text, next) = decodeEntity(bytes, at: index)
        if text == " " {
          writer.emit(" ".utf8)
        } else {
          writer.emit(text.utf8)
        }
        index = next
        continue
      }
      if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
        if preformatted > 0 {
          if byte == 0x0A {
            writer.output.append(0x0A)
          } else if byte != 0x0D {
            writer.output.append(byte)
          }
        } else {
          writer.pendingSpace = true
        }
        index += 1
        continue
      }
      var end = index + 1
      while end < count {
        let next = bytes[end]
        if next == UInt8(ascii: "<") || next == UInt8(ascii: "&") || next <= 0x20 { break }
        end += 1
      }
      writer.emit(bytes[index..<end])
      index = end
    }
    let text = String(decoding: writer.output, as: UTF8.self)
    return tidy(text)
  }

  private static func appendLink(_ writer: inout Writer, href rawHref: String, textStart: Int) {
    let href = rawHref.trimmingASCIIWhitespace()
    guard !href.isEmpty, !href.hasPrefix("#"), !href.lowercased().hasPrefix("javascript:")
    else { return }
    let start = min(textStart, writer.output.count)
    let linkText = String(decoding: writer.output[start...], as: UTF8.self)
      .trimmingASCIIWhitespace()
    var target = href
    for scheme in ["mailto:", "tel:"] where target.lowercased().hasPrefix(scheme) {
      target = String(target.dropFirst(scheme.count))
    }
    if linkText.isEmpty {
      writer.emit(target.utf8)
      return
    }
    let normalisedText = linkText.lowercased()
    if normalisedText == target.lowercased() || normalisedText == href.lowercased()
      || target.lowercased().hasSuffix("//" + normalisedText)
      || normalisedText.filter(\.isNumber) == target.filter(\.isNumber) && target.count < 30
    {
      return
    }
    writer.emit(" (\(target))".utf8)
  }

  private struct Tag {
    var name: String
    var closing: Bool
    var selfClosing: Bool
    var attributes: [String: String]
    var end: Int
  }

  /// The tag at `start`, or nil; `reached` is how far it was read either way.
  private static func parseTag(_ bytes: [UInt8], at start: Int, reached: inout Int) -> Tag? {
    var index = start + 1
    defer { reached = max(reached, index) }
    var closing = false
    if index < bytes.count && bytes[index] == UInt8(ascii: "/") {
      closing = true
      index += 1
    }
    if index < bytes.count && bytes[index] == UInt8(ascii: "!")
      || index < bytes.count
        && bytes[index] == UInt8(ascii: "?")
    {
      guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else {
        index = bytes.count
        return nil
      }
      return Tag(name: "!", closing: false, selfClosing: true, attributes: [:], end: close + 1)
    }
    let nameStart = index
    // A tag name starts with a letter: `<50 шт` or `< 3 дней` is text (as browsers read it).
    guard index < bytes.count, (bytes[index] | 0x20) >= UInt8(ascii: "a"),
      (bytes[index] | 0x20) <= UInt8(ascii: "z")
    else { return nil }
    while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
    let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).asciiLowercased()
    var attributes: [String: String] = [:]
    var selfClosing = false
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: ">") {
        return Tag(
          name: name, closing: closing, selfClosing: selfClosing, attributes: attributes,
          end: index + 1)
      }
      if byte == UInt8(ascii: "/") {
        selfClosing = true
        index += 1
        continue
      }
      if isNameByte(byte) {
        let attributeStart = index
        while index < bytes.count, isNameByte(bytes[index]) || bytes[index] == UInt8(ascii: ":") {
          index += 1
        }
        let attributeName = String(decoding: bytes[attributeStart..<index], as: UTF8.self)
          .asciiLowercased()
        while index < bytes.count,
          bytes[index] == 0x20 || bytes[index] == 0x0A
            || bytes[index] == 0x0D || bytes[index] == 0x09
        {
          index += 1
        }
        var value = ""
        if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
          index += 1
          while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
          if index < bytes.count,
            bytes[index] == UInt8(ascii: "\"")
              || bytes[index]
                == UInt8(
                  ascii: "'")
          {
            let quote = bytes[index]
            let valueStart = index + 1
            var valueEnd = valueStart
            while valueEnd < bytes.count && bytes[valueEnd] != quote { valueEnd += 1 }
            value = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
            index = min(bytes.count, valueEnd + 1)
          } else {
            let valueStart = index
            while index < bytes.count, bytes[index] > 0x20, bytes[index] != UInt8(ascii: ">") {
              index += 1
            }
            value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
          }
        }
        if attributes[attributeName] == nil {
          attributes[attributeName] = decodeEntities(value)
        }
        continue
      }
      index += 1
    }
    return nil
  }

  private static func isNameByte(_ byte: UInt8) -> Bool {
    (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
      || byte == UInt8(ascii: "_")
  }

  private static func findClosing(_ bytes: [UInt8], from start: Int, name: String) -> Int? {
    let needle = Array(("</" + name).utf8)
    var index = start
    while let found = find(bytes, from: index, needle) {
      let after = found + needle.count
      if after >= bytes.count || !isNameByte(bytes[after]) {
        guard let close = bytes[after...].firstIndex(of: UInt8(ascii: ">")) else {
          return bytes.count
        }
        return close + 1
      }
      index = after
    }
    return nil
  }

  private static func hasPrefix(_ bytes: [UInt8], _ start: Int, _ prefix: String) -> Bool {
    let needle = Array(prefix.utf8)
    guard start + needle.count <= bytes.count else { return false }
    for (offset, byte) in needle.enumerated() where bytes[start + offset] | 0x20 != byte | 0x20 {
      return false
    }
    return true
  }

  private static func find(_ bytes: [UInt8], from start: Int, _ needle: String) -> Int? {
    find(bytes, from: start, Array(needle.utf8))
  }

  /// Case-insensitive (ASCII) search.
  private static func find(_ bytes: [UInt8], from start: Int, _ needle: [UInt8]) -> Int? {
    guard !needle.isEmpty, needle.count <= bytes.count else { return nil }
    var index = start
    let last = bytes.count - needle.count
    let first = needle[0] | 0x20
    while index <= last {
      if bytes[index] | 0x20 == first {
        var offset = 1
        while offset < needle.count && bytes[index + offset] | 0x20 == needle[offset] | 0x20 {
          offset += 1
        }
        if offset == needle.count { return index }
      }
      index += 1
    }
    return nil
  }

  private static func decodeEntity(_ bytes: [UInt8], at start: Int) -> (String, Int) {
    var index = start + 1
    while index < bytes.count && index - start < 12 && bytes[index] != UInt8(ascii: ";")
      && (isNameByte(bytes[index]) || bytes[index] == UInt8(ascii: "#"))
    {
      index += 1
    }
    let name = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
    let next = index < bytes.count && bytes[index] == UInt8(ascii: ";") ? index + 1 : index
    if let text = entityText(name) { return (text, next) }
    return ("&", start + 1)
  }

  /// Windows-1252's characters for 0x80–0x9F (the C1 controls where it has none).
  private static let windows1252: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
  ]

  private static func entityText(_ name: String) -> String? {
    if name.hasPrefix("#") {
      let digits = name.dropFirst()
      let value: UInt32?
      if digits.first == "x" || digits.first == "X" {
        value = UInt32(digits.dropFirst(), radix: 16)
      } else {
        value = UInt32(digits)
      }
      guard let value, value != 0 else { return nil }
      // 128–159 name C1 controls; browsers read them as windows-1252 (`&#150;` is an en dash).
      let mapped = (0x80...0x9F).contains(value) ? Self.windows1252[Int(value - 0x80)] : value
      guard let scalar = Unicode.Scalar(mapped) else { return nil }
      return mapped == 0xA0 ? " " : String(Character(scalar))
    }
    return entities[name] ?? entities[name.lowercased()]
  }

  /// Decodes entities in an attribute value.
  static func decodeEntities(_ text: String) -> String {
    guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
    let bytes = Array(text.utf8)
    var output = ""
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "&") {
        let (decoded, next) = decodeEntity(bytes, at: index)
        output += decoded
        index = next
      } else {
        var end = index + 1
        while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
        output += String(decoding: bytes[index..<end], as: UTF8.self)
        index = end
      }
    }
    return output
  }

  /// Trims each line and limits blank lines to one in a row.
  static func tidy(_ text: String) -> String {
    var lines: [Substring] = []
    var blank = 0
    for line in text.lineSlices() {
      var trimmed = line
      while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
      while let first = trimmed.first, first == " " || first == "\t" {
        trimmed = trimmed.dropFirst()
      }
      if trimmed.isEmpty {
        blank += 1
        if blank > 1 || lines.isEmpty { continue }
      } else {
        blank = 0
      }
      lines.append(trimmed)
    }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    return lines.joined(separator: "\n")
  }
}
