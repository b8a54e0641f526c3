/// Finds a company name such as `ООО «Ромашка»` or `ИП Иванов И. И.` in a signature or text.
enum CompanyFinder {
  /// Legal forms, longest first so that `ОАО` is not read as `АО`.
  private static let legalForms = [
    "ФГБУ", "ФГУП", "ООО", "ОАО", "ЗАО", "ПАО", "НКО", "ГУП", "МУП", "АНО", "ТОО", "АО", "ИП",
    "LLC", "Ltd", "GmbH", "Inc",
  ]
  private static let quotePairs: [Character: Character] = [
    "«": "»", "\"": "\"", "“": "”", "„": "“", "'": "'",
  ]

  /// The legal forms' UTF-8 bytes, for a one-pass prefilter over a text's bytes.
  private static let formBytes = BytePatternSet(legalForms.map { Array($0.utf8) })

  /// The byte offset of the first legal form in the text, if any occurs at all (one pass over
  /// its bytes, in place).
  private static func firstLegalForm(_ text: some StringProtocol) -> Int? {
    text.utf8.withContiguousStorageIfAvailable(formBytes.firstOffset)
      ?? Array(text.utf8).withUnsafeBufferPointer(formBytes.firstOffset)
  }

  /// The legal forms and quotes as Unicode scalars (every one is a single scalar, so the scan
  /// works on scalars, not on grapheme clusters), and the scalars a form starts with.
  private static let formScalars = legalForms.map { Array($0.unicodeScalars) }
  private static let firstScalars = Set(legalForms.compactMap { $0.unicodeScalars.first })
  /// ``firstScalars`` as a table by scalar value (every one is below U+0500): no hashing per
  /// scalar of a line.
  private static let startsForm: [Bool] = {
    var table = [Bool](repeating: false, count: 0x500)
    for scalar in firstScalars { table[Int(scalar.value)] = true }
    return table
  }()
  private static let scalarQuotes: [Unicode.Scalar: Unicode.Scalar] = Dictionary(
    uniqueKeysWithValues: quotePairs.map {
      ($0.key.unicodeScalars.first!, $0.value.unicodeScalars.first!)
    })
  private static let space: Unicode.Scalar = " "
  private static let noBreakSpace: Unicode.Scalar = "\u{00A0}"

  static func find(in text: String) -> String? {
    guard let first = firstLegalForm(text) else { return nil }
    // Only lines that mention a form at all are scanned (and copied); the lines before the
    // first mention are passed over without a second look.
    var lineStart = 0
    for line in text.lineSlices() {
      let length = line.utf8.count
      defer { lineStart += length + 1 }
      guard lineStart + length > first, length > 0 else { continue }
      guard lineStart <= first || firstLegalForm(line) != nil else { continue }
      if let name = find(inLine: String(line)) { return name }
    }
    return nil
  }

  private static func find(inLine line: String) -> String? {
    let scalars = Array(line.unicodeScalars)
    let count = scalars.count
    func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
      scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
    var index = 0
    while index < count {
      let value = scalars[index].value
      guard value < 0x500, startsForm[Int(value)],
        index == 0 || !isWordScalar(scalars[index - 1])
      else {
        index += 1
        continue
      }
      for (form, formScalars) in zip(legalForms, Self.formScalars) {
        guard index + formScalars.count < count,
          scalars[index..<(index + formScalars.count)].elementsEqual(formScalars)
        else { continue }
        var cursor = index + formScalars.count
        if scalars[cursor] == "." { cursor += 1 }
        guard cursor < count,
          scalars[cursor] == space || scalars[cursor] == noBreakSpace
            || scalarQuotes[scalars[cursor]] != nil
        else { continue }
        while cursor < count && (scalars[cursor] == space || scalars[cursor] == noBreakSpace) {
          cursor += 1
        }
        guard cursor < count else { continue }
        if let close = scalarQuotes[scalars[cursor]] {
          let open = scalars[cursor]
          var end = cursor + 1
          // «Ромашка» may nest: «Торговый дом «Восток»». A name is not longer than
          // `longestName`: looking further for the closing quote of every `ООО «` made a long
          // line without one quadratic.
          let limit = min(count, cursor + 1 + Self.longestName)
          if open == close {
            // Straight quotes nest too (`ООО "ТД "Восток""`, and with the closing ones merged
            // into one: `ЗАО "ПО "Спецавтоматика"`).
            guard
              let name = Self.straightQuoted(scalars, from: cursor + 1, limit: limit, quote: open)
            else { continue }
            return "\(form) «\(name)»"
          }
          var depth = 1
          while end < limit {
            if scalars[end] == close {
              depth -= 1
              if depth == 0 { break }
            } else if scalars[end] == open {
              depth += 1
            }
            end += 1
          }
          guard end < limit, end > cursor + 1 else { continue }
          let name = Self.text(scalars[(cursor + 1)..<end]).trimmingASCIIWhitespace()
          return "\(form) «\(name)»"
        }
        // Unquoted: `ИП Иванов Иван Иванович`, `ООО Ромашка` up to punctuation.
        var end = cursor
        let limit = min(count, cursor + Self.longestName)
        while end < limit && !endsUnquotedName(scalars[end]) { end += 1 }
        // Longer than any name (the check below takes at most 80 characters).
        if end == limit && limit < count { continue }
        if cannotBeUnquotedName(scalars[cursor..<end]) { continue }
        let name = Self.unquotedName(Self.text(scalars[cursor..<end]).trimmingASCIIWhitespace())
        guard !name.isEmpty, name.first?.isUppercase == true, name.count <= 80 else { continue }
        return "\(form) \(name)"
      }
      index += 1
    }
    return nil
  }

  /// Where an unquoted name stops within its line: at the requisites or contacts that follow it
  /// (`ИП Иванов И.И. ИНН 5001…`, `ООО Ромашка тел. …`), at a preposition that goes on with
  /// the sentence (`счёт на ООО Ромашка на 10 насосов`), at a dash between words (`ООО Ромашка
  /// — поставщик`); a sentence's final period is not part of it (an initial's is).
  static func unquotedName(_ text: String) -> String {
    var kept: [Substring] = []
    let words = text.split(whereSeparator: { $0 == " " || $0 == "\u{00A0}" || $0 == "\t" })
    for (index, word) in words.enumerated() {
      // The word without the punctuation around it (cut by index: no new characters made).
      var trimmed = word
      while let first = trimmed.first, first == "." || first == ":" || first == "," {
        trimmed = trimmed.dropFirst()
      }
      while let last = trimmed.last, last == "." || last == ":" || last == "," {
        trimmed = trimmed.dropLast()
      }
      let bare = String(trimmed)
      if !kept.isEmpty {
        if unquotedNameStops.contains(bare.lowercased()) { break }
        // `г.`, `ул.` in lower case only: `Г.` is an initial (`ИП Петров Г. А.`).
        if addressStops.contains(bare) { break }
        // A preposition going on with the sentence (`на 10 насосов`, `для нужд`), not one
        // inside a name (`Дом на Неве`: the next word is capitalised).
        if prepositions.contains(String(word)),
          index + 1 >= words.count || words[index + 1].first.map({ !$0.isUppercase }) ?? true
        {
          break
        }
        if word == "—" || word == "–" || word == "-" { break }
      }
      kept.append(word)
    }
    var name = kept.joined(separator: " ")
    while let last = name.last, ":,".contains(last) { name.removeLast() }
    // `…насосов.` loses its period; `И.И.` and `Inc.` keep theirs (an initial, a short form).
    if name.hasSuffix("."), let word = kept.last {
      let inner = word.dropLast()
      if inner.count > 3, !inner.contains(where: { $0 == "." }) { name.removeLast() }
    }
    return name
  }

  /// Words that start a name's requisites or contacts (compared lower-cased, without `.` and
  /// `:`).
  private static let unquotedNameStops: Set<String> = [
    "инн", "кпп", "огрн", "огрнип", "окпо", "бик", "р/с", "тел", "телефон", "моб", "факс",
    "e-mail", "email", "эл", "адрес", "юр", "сайт", "www", "inn",
  ]

  /// Address abbreviations, compared as written (lower case): `г. Москва`, `ул. Ленина`.
  private static let addressStops: Set<String> = ["г", "ул", "пр", "д"]

  /// Lower-case prepositions and conjunctions that go on with the sentence after a name.
  private static let prepositions: Set<String> = [
    "на", "в", "во", "для", "от", "по", "из", "к", "ко", "о", "об", "за", "до", "при", "через",
    "что", "как", "который", "которая", "просим", "прошу",
  ]

  /// Scalars looked at for a name after its legal form (a name shown is at most 80 characters).
  static let longestName = 200

  /// The punctuation an unquoted name stops at: `,`, `;`, `(`, `)`, `|`.
  private static func endsUnquotedName(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case ",", ";", "(", ")", "|": return true
    default: return false
    }
  }

  /// Rules out an unquoted name without making its text, where that is certain: when every
  /// scalar is its own character (ASCII, Latin-1, Cyrillic without its combining marks — no
  /// line feed in a line, so no CR LF pair), the trimmed name's character count is its scalar
  /// count, and its first character is lower-case or no letter when it is an ASCII scalar
  /// other than A–Z or a small Cyrillic letter. Anything else is left to the full check.
  private static func cannotBeUnquotedName(_ scalars: ArraySlice<Unicode.Scalar>) -> Bool {
    func isASCIISpace(_ value: UInt32) -> Bool {
      value < 0x80 && ByteSearch.isTrimmable(UInt8(value))
    }
    var start = scalars.startIndex
    var end = scalars.endIndex
    while start < end, isASCIISpace(scalars[start].value) { start += 1 }
    while end > start, isASCIISpace(scalars[end - 1].value) { end -= 1 }
    for scalar in scalars[start..<end] {
      let value = scalar.value
      guard value < 0x300 || (0x400...0x482).contains(value) || (0x48A...0x4FF).contains(value)
      else { return false }
    }
    if start == end || end - start > 80 { return true }
    let first = scalars[start].value
    return (first < 0x80 && !(0x41...0x5A).contains(first)) || (0x430...0x45F).contains(first)
  }

  /// A name in straight quotes from `start` (after the opening one), inner quotes made
  /// guillemets: a quote after a space or a quote and before a letter or digit opens a level;
  /// any other closes one, and one followed by anything but a quote ends the name, closing every
  /// level still open (writers merge the closing quotes of nested names).
  private static func straightQuoted(
    _ scalars: [Unicode.Scalar], from start: Int, limit: Int, quote: Unicode.Scalar
  ) -> String? {
    var name = String.UnicodeScalarView()
    var depth = 1
    var index = start
    while index < limit {
      let scalar = scalars[index]
      guard scalar == quote else {
        name.append(scalar)
        index += 1
        continue
      }
      let before = index > start ? scalars[index - 1] : space
      let after = index + 1 < scalars.count ? scalars[index + 1] : nil
      let opens =
        (before == space || before == noBreakSpace || before == quote)
        && after.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) } == true
      if opens {
        name.append("«")
        depth += 1
      } else {
        depth -= 1
        if depth == 0 || after != quote {
          // (The outermost level's guillemet is the caller's.)
          name.append(contentsOf: repeatElement("»", count: depth))
          let text = String(name).trimmingASCIIWhitespace()
          return text.isEmpty ? nil : text
        }
        name.append("»")
      }
      index += 1
    }
    return nil
  }

  private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    return String(view)
  }
}
