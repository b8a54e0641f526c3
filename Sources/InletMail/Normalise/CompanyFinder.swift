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

  /// The legal forms' UTF-8 bytes, and which two-byte openings can start one, for a
  /// one-pass prefilter.
  private static let formBytes = legalForms.map { Array($0.utf8) }
  private static let openings: [Bool] = {
    var table = [Bool](repeating: false, count: 1 << 16)
    for form in formBytes { table[Int(form[0]) << 8 | Int(form[1])] = true }
    return table
  }()

  /// Whether any legal form occurs in the text at all (one pass over its bytes).
  private static func mentionsLegalForm(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    var index = 0
    while index + 1 < bytes.count {
      if openings[Int(bytes[index]) << 8 | Int(bytes[index + 1])] {
        for form in formBytes where index + form.count <= bytes.count {
          if bytes[index..<(index + form.count)].elementsEqual(form) { return true }
        }
      }
      index += 1
    }
    return false
  }

  static func find(in text: String) -> String? {
    guard mentionsLegalForm(text) else { return nil }
    for line in text.lineSlices() where !line.isEmpty {
      if let name = find(inLine: String(line)) { return name }
    }
    return nil
  }

  private static func find(inLine line: String) -> String? {
    let characters = Array(line)
    var index = 0
    while index < characters.count {
      let previous: Character? = index > 0 ? characters[index - 1] : nil
      if previous.map({ $0.isLetter || $0.isNumber }) ?? false {
        index += 1
        continue
      }
      for form in legalForms {
        let formCharacters = Array(form)
        guard index + formCharacters.count < characters.count,
          Array(characters[index..<(index + formCharacters.count)]) == formCharacters
        else { continue }
        var cursor = index + formCharacters.count
        if characters[cursor] == "." { cursor += 1 }
        guard cursor < characters.count,
          characters[cursor] == " " || characters[cursor] == "\u{00A0}"
            || quotePairs[characters[cursor]] != nil
        else { continue }
        while cursor < characters.count
          && (characters[cursor] == " " || characters[cursor] == "\u{00A0}")
        {
          cursor += 1
        }
        guard cursor < characters.count else { continue }
        if let close = quotePairs[characters[cursor]] {
          let open = characters[cursor]
          var end = cursor + 1
          // «Ромашка» may nest: «Торговый дом «Восток»».
          var depth = 1
          while end < characters.count {
            if characters[end] == close {
              depth -= 1
              if depth == 0 { break }
            } else if characters[end] == open {
              depth += 1
            }
            end += 1
          }
          guard end < characters.count, end > cursor + 1 else { continue }
          let name = String(characters[(cursor + 1)..<end]).trimmingASCIIWhitespace()
          return "\(form) «\(name)»"
        }
        // Unquoted: `ИП Иванов Иван Иванович`, `ООО Ромашка` up to punctuation.
        var end = cursor
        while end < characters.count && !",;()|".contains(characters[end]) { end += 1 }
        let name = String(characters[cursor..<end]).trimmingASCIIWhitespace()
        guard !name.isEmpty, name.first?.isUppercase == true, name.count <= 80 else { continue }
        return "\(form) \(name)"
      }
      index += 1
    }
    return nil
  }
}
