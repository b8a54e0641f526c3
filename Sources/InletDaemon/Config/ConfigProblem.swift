import Foundation
import InletCore
import Yams

/// How a config that does not decode is reported: the key path (with the variable, when the
/// environment set the key), what was expected and what was found there, in the config's words
/// rather than the decoder's (`Expected to decode Int but found Scalar instead.`).
extension ConfigLoader {
  /// A decoding error of the config tree `root` as one problem.
  static func problem(_ error: DecodingError, in root: Node, overrides: [Override]) -> ConfigError {
    let (keyPath, message) = DecodingProblem.parts(error) { found(at: $0, in: root) }
    let variable = overrides.last(where: { $0.keyPath == keyPath })?.variable
    return ConfigError(keyPath, message, variable: variable)
  }

  /// What the tree holds at `codingPath`: the value quoted (shortened when long), or the kind
  /// of node; nil when nothing is there.
  static func found(at codingPath: [any CodingKey], in root: Node) -> String? {
    var node = root
    for key in codingPath {
      if let index = key.intValue {
        guard let sequence = node.sequence, sequence.indices.contains(index) else { return nil }
        node = sequence[index]
      } else {
        guard let child = node.mapping?[key.stringValue] else { return nil }
        node = child
      }
    }
    if let scalar = node.scalar {
      let text = scalar.string
      let shown = text.count > 60 ? String(text.prefix(57)) + "..." : text
      return "\"\(shown)\""
    }
    if node.mapping != nil { return "a section" }
    if node.sequence != nil { return "a list" }
    return nil
  }

  /// A key given twice in one mapping (a second `matching:` section). Yams names the first
  /// and prints the whole file; the administrator needs the second, the one to merge or remove:
  /// the next line with the key at the first one's column, before that mapping ends.
  static func duplicateKey(_ key: String, first: Yams.Mark, in text: String) -> ConfigError {
    // "\r\n" is one Character, a newline like "\n".
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    let indent = max(0, first.column - 1)
    var second: Int?
    for index in lines.indices.dropFirst(first.line) {
      let line = lines[index]
      let content = line.drop(while: { $0 == " " })
      if content.isEmpty || content.hasPrefix("#") { continue }
      let depth = line.count - content.count
      if depth < indent { break }
      if depth == indent, isKey(key, at: content) {
        second = index + 1
        break
      }
    }
    let firstIndex = first.line - 1
    var section = false
    var keyPath = key
    if lines.indices.contains(firstIndex) {
      // Nothing after `key:` on its line: the value is a section below it.
      let entry = lines[firstIndex].dropFirst(indent)
      if let colon = entry.firstIndex(of: ":") {
        let value = entry[entry.index(after: colon)...].drop(while: { $0 == " " })
        section = value.isEmpty || value.hasPrefix("#")
      }
      keyPath = Self.keyPath(key, indent: indent, line: firstIndex, in: lines) ?? key
    }
    let place =
      second.map { "at line \(first.line) and again at line \($0)" }
      ?? "the first at line \(first.line)"
    let advice = section ? "merge the two into one section" : "keep one"
    return ConfigError(keyPath, "given twice, \(place); \(advice)")
  }

  /// Whether a line's content (its indentation dropped) starts with `key:`, the key plain or
  /// quoted.
  private static func isKey(_ key: String, at content: Substring) -> Bool {
    for form in [key, "\"\(key)\"", "'\(key)'"] where content.hasPrefix(form) {
      if content.dropFirst(form.count).drop(while: { $0 == " " }).hasPrefix(":") { return true }
    }
    return false
  }

  /// The key path of `key`, at column `indent` of line `index`: the keys of the block mappings
  /// around it, read upwards. Nil inside a list or a `{…}` mapping, whose place this does not
  /// work out.
  private static func keyPath(_ key: String, indent: Int, line index: Int, in lines: [Substring])
    -> String?
  {
    guard lines[index].prefix(indent).allSatisfy({ $0 == " " }) else { return nil }
    var path = [key]
    var depth = indent
    var row = index - 1
    while depth > 0, row >= 0 {
      let line = lines[row]
      row -= 1
      let content = line.drop(while: { $0 == " " })
      if content.isEmpty || content.hasPrefix("#") { continue }
      let level = line.count - content.count
      guard level < depth else { continue }
      guard !content.hasPrefix("-"), let colon = content.firstIndex(of: ":") else { return nil }
      let parent = content[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
      path.insert(parent, at: 0)
      depth = level
    }
    return depth == 0 ? path.joined(separator: ".") : nil
  }
}
