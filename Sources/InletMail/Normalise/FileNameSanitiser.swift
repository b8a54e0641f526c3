/// Makes declared attachment names safe to show and to store: no directories, control
/// characters, leading dots or characters Windows refuses; never empty; at most 200 bytes.
public enum FileNameSanitiser {
  /// Longest name kept, in UTF-8 bytes.
  public static let maximumBytes = 200
  private static let forbidden: Set<Character> = [":", "*", "?", "\"", "<", ">", "|"]
  private static let extensions: [String: String] = [
    "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
    "text/plain": "txt", "text/html": "html", "message/rfc822": "eml", "text/calendar": "ics",
    "application/zip": "zip", "application/msword": "doc", "text/csv": "csv",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/rtf": "rtf",
  ]
  /// The same, by extension (`jpeg` too).
  private static let mediaTypes: [String: String] = Dictionary(
    extensions.map { ($0.value, $0.key) } + [("jpeg", "image/jpeg")],
    uniquingKeysWith: { first, _ in first })

  /// The media type a file's name suggests by its extension (the types named above, and a
  /// few more an Outlook attachment carries), or `application/octet-stream`.
  public static func mediaType(forName name: String?) -> String {
    guard let name, let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
    return mediaTypes[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
  }

  /// A safe name for a file declared as `declared` (or nothing) of type `mediaType`.
  public static func sanitise(_ declared: String?, mediaType: String, index: Int) -> String {
    if let declared, isPlainSafe(declared) { return declared }
    var name = declared ?? ""
    // Keep only the last path component, whichever separator the sender's system used.
    if let separator = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) {
      name = String(name[name.index(after: separator)...])
    }
    name = String(
      name.unicodeScalars.filter { scalar in
        if scalar.value >= 0x20 && scalar.value < 0x7F { return true }
        return
          !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
          || scalar.properties.generalCategory == .format
          || scalar.properties.generalCategory == .lineSeparator
          || scalar.properties.generalCategory == .paragraphSeparator)
      }.map(Character.init))
    name = String(name.map { forbidden.contains($0) ? "_" : $0 })
    name = name.trimmingCharacters(inSet: [" ", ".", "\t"]).trimmingCharacters(inSet: [" "])
    while name.hasPrefix(".") { name.removeFirst() }
    if name.isEmpty {
      let fileExtension = extensions[mediaType] ?? "bin"
      name = "attachment-\(index).\(fileExtension)"
    }
    return truncate(name)
  }

  /// The common case: printable ASCII with no separator, reserved character or leading dot or
  /// space, and short enough; such a name is already safe.
  private static func isPlainSafe(_ name: String) -> Bool {
    let bytes = name.utf8
    guard let first = bytes.first, let last = bytes.last, bytes.count <= maximumBytes,
      first != UInt8(ascii: "."), first != 0x20, last != 0x20, last != UInt8(ascii: ".")
    else { return false }
    return bytes.allSatisfy { byte in
      byte >= 0x20 && byte < 0x7F && !"/\\:*?\"<>|".utf8.contains(byte)
    }
  }

  /// `name` with `-N` before its extension, for duplicate names in one letter.
  public static func numbered(_ name: String, index: Int) -> String {
    if let dot = name.lastIndex(of: "."), dot != name.startIndex {
      return truncate(String(name[..<dot]) + "-\(index)" + String(name[dot...]))
    }
    return truncate(name + "-\(index)")
  }

  /// Cuts the stem (keeping the extension when it is short) at a character boundary.
  private static func truncate(_ name: String) -> String {
    guard name.utf8.count > maximumBytes else { return name }
    var stem = name
    var fileExtension = ""
    if let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 16 {
      stem = String(name[..<dot])
      fileExtension = String(name[dot...])
    }
    let budget = maximumBytes - fileExtension.utf8.count
    var result = ""
    for character in stem {
      if result.utf8.count + character.utf8.count > budget { break }
      result.append(character)
    }
    return result + fileExtension
  }
}
