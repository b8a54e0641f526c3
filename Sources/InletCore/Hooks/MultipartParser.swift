import Foundation

/// `multipart/form-data` (RFC 7578): text parts become fields, file parts uploads.
enum MultipartParser {
  /// The longest boundary taken (RFC 2046 says 70; some clients are generous).
  static let maxBoundaryLength = 200

  static func parse(_ body: [UInt8], boundary: String, legacy: LegacyCharset? = nil)
    throws(BodyDecodingError) -> DecodedBody
  {
    // RFC 2046 allows 70 characters; a much longer one only makes every search slower.
    guard (1...maxBoundaryLength).contains(boundary.utf8.count) else {
      throw .malformed(
        "the multipart boundary must be 1 to \(maxBoundaryLength) characters long (RFC 2046: 70)")
    }
    let delimiter = Array("--\(boundary)".utf8)
    var tree = FormTree()
    var files: [UploadedFile] = []
    guard var position = find(delimiter, in: body, from: 0) else {
      throw .malformed("the multipart body does not contain its boundary")
    }
    var sawClose = false
    while true {
      position += delimiter.count
      if body.count >= position + 2, body[position] == 0x2D, body[position + 1] == 0x2D {
        sawClose = true
        break
      }
      // Skip the line break after the delimiter.
      guard let lineEnd = find([0x0D, 0x0A], in: body, from: position) else { break }
      let partStart = lineEnd + 2
      guard let next = find([0x0D, 0x0A] + delimiter, in: body, from: partStart) else {
        throw .malformed("a multipart part is not terminated by the boundary")
      }
      let part = Array(body[partStart..<next])
      try parsePart(part, tree: &tree, files: &files, legacy: legacy)
      position = next + 2
    }
    guard sawClose else { throw .malformed("the multipart body has no closing boundary") }
    return DecodedBody(fields: tree.value, files: files)
  }

  private static func parsePart(
    _ part: [UInt8], tree: inout FormTree, files: inout [UploadedFile], legacy: LegacyCharset?
  ) throws(BodyDecodingError) {
    guard let headerEnd = find([0x0D, 0x0A, 0x0D, 0x0A], in: part, from: 0) else {
      throw .malformed("a multipart part has no header block")
    }
    let headerBytes = Array(part[..<headerEnd])
    guard
      let headerText = String(validating: headerBytes, as: UTF8.self)
        ?? legacy?.decode(headerBytes)
    else {
      throw .malformed("a multipart part header is not UTF-8")
    }
    let content = Array(part[(headerEnd + 4)...])
    var disposition: String?
    var contentType = "application/octet-stream"
    for line in headerText.split(separator: "\r\n") {
      let pieces = line.split(separator: ":", maxSplits: 1)
      guard pieces.count == 2 else { continue }
      let name = pieces[0].trimmingCharacters(in: .whitespaces).lowercased()
      let value = pieces[1].trimmingCharacters(in: .whitespaces)
      if name == "content-disposition" { disposition = value }
      if name == "content-type" { contentType = value }
    }
    guard let disposition, let fieldName = parameter("name", in: disposition) else {
      throw .malformed("a multipart part has no Content-Disposition name")
    }
    // RFC 5987's `filename*` (UTF-8, percent-encoded), where a client sends it, names the file
    // better than the plain `filename` beside it.
    let extended = parameter("filename*", in: disposition).flatMap(Self.extendedValue)
    if let filename = extended ?? parameter("filename", in: disposition) {
      if filename.isEmpty && content.isEmpty { return }  // an empty file input
      files.append(
        UploadedFile(field: fieldName, filename: filename, contentType: contentType, data: content))
    } else {
      guard let text = String(validating: content, as: UTF8.self) ?? legacy?.decode(content)
      else {
        throw .malformed("the multipart field `\(fieldName)` is not UTF-8")
      }
      tree.insert(name: fieldName, value: text)
    }
  }

  /// Reads `name="value"` (or unquoted) from a header value; a `;` inside quotes is part of the
  /// value (browsers send file names as typed).
  private static func parameter(_ name: String, in header: String) -> String? {
    for (key, value) in parameters(header) where key == name { return value }
    return nil
  }

  /// An RFC 5987 value, `charset'language'percent-encoded` (`utf-8''%D0%A1%D1%87%D1%91%D1%82.pdf`);
  /// UTF-8, or windows-1251 where it says so.
  static func extendedValue(_ text: String) -> String? {
    let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
    guard pieces.count == 3 else { return nil }
    var bytes: [UInt8] = []
    var iterator = pieces[2].utf8.makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next().flatMap(Self.hexDigit),
        let low = iterator.next().flatMap(Self.hexDigit)
      else { return nil }
      bytes.append(high << 4 | low)
    }
    let charset = pieces[0].lowercased()
    if charset == "windows-1251" || charset == "cp1251" {
      return LegacyCharset.windows1251.decode(bytes)
    }
    let decoded = String(validating: bytes, as: UTF8.self)
    return decoded?.isEmpty == true ? nil : decoded
  }

  private static func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }

  static func parameters(_ header: String) -> [(String, String)] {
    var result: [(String, String)] = []
    var characters = Substring(header)
    // Skip the disposition type (`form-data`).
    guard let first = characters.firstIndex(of: ";") else { return [] }
    characters = characters[characters.index(after: first)...]
    while !characters.isEmpty {
      characters = characters.drop { $0 == " " || $0 == "\t" || $0 == ";" }
      guard let equals = characters.firstIndex(of: "=") else { break }
      let key = characters[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      characters = characters[characters.index(after: equals)...].drop { $0 == " " }
      var value = ""
      if characters.first == "\"" {
        characters = characters.dropFirst()
        var escaped = false
        while let character = characters.first {
          characters = characters.dropFirst()
          if escaped {
            // Only `\"` and `\\` are escapes: a browser sends a Windows path (`C:\Users\…`)
            // as typed, its backslashes meant literally.
            if character != "\"" && character != "\\" { value.append("\\") }
            value.append(character)
            escaped = false
          } else if character == "\\" {
            escaped = true
          } else if character == "\"" {
            break
          } else {
            value.append(character)
          }
        }
        characters = characters.drop { $0 != ";" }
      } else {
        let end = characters.firstIndex(of: ";") ?? characters.endIndex
        value = characters[..<end].trimmingCharacters(in: .whitespaces)
        characters = characters[end...]
      }
      result.append((key, value))
    }
    return result
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    var index = start
    let last = haystack.count - needle.count
    let first = needle[0]
    while index <= last {
      if haystack[index] == first {
        var matched = true
        for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
          matched = false
          break
        }
        if matched { return index }
      }
      index += 1
    }
    return nil
  }
}
