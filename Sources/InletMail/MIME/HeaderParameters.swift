/// A structured header value with parameters: `Content-Type`, `Content-Disposition`.
public struct HeaderParameters: Sendable, Equatable {
  /// The main value, lower-cased (`text/plain`, `attachment`).
  public var value: String
  /// Parameters by lower-cased name, RFC 2231 continuations joined and decoded.
  public var parameters: [String: String]

  /// Creates a value.
  public init(value: String, parameters: [String: String] = [:]) {
    self.value = value
    self.parameters = parameters
  }

  /// A parameter by name (case-insensitive).
  public subscript(_ name: String) -> String? {
    parameters[name.asciiLowercased()]
  }

  private struct Section {
    var index: Int
    var extended: Bool
    var bytes: [UInt8]
  }

  /// Parses `value; name=token; name="quoted"; name*0*=utf-8''%D0%9F; name*1=...`.
  public static func parse(_ raw: [UInt8]) -> HeaderParameters {
    let segments = splitSegments(raw)
    guard let first = segments.first else { return HeaderParameters(value: "") }
    let value = String(decoding: stripComments(first), as: UTF8.self)
      .trimmingASCIIWhitespace().asciiLowercased()
    var plain: [String: [UInt8]] = [:]
    var sections: [String: [Section]] = [:]
    for segment in segments.dropFirst() {
      guard let equals = segment.firstIndex(of: UInt8(ascii: "=")) else { continue }
      let rawName = String(decoding: segment[..<equals], as: UTF8.self)
        .trimmingASCIIWhitespace().asciiLowercased()
      guard !rawName.isEmpty, rawName.count < 80 else { continue }
      let rawValue = unquote(Array(segment[(equals + 1)...]))
      if let star = rawName.firstIndex(of: "*") {
        let base = String(rawName[..<star])
        var rest = rawName[rawName.index(after: star)...]
        var extended = false
        if rest.hasSuffix("*") {
          extended = true
          rest = rest.dropLast()
        }
        let number: Int
        if rest.isEmpty {
          number = 0
          extended = true
        } else if let parsed = Int(rest), parsed >= 0, parsed < 1000 {
          number = parsed
        } else {
          continue
        }
        sections[base, default: []].append(
          Section(index: number, extended: extended, bytes: rawValue))
      } else if plain[rawName] == nil {
        plain[rawName] = rawValue
      }
    }
    var parameters: [String: String] = [:]
    for (name, bytes) in plain {
      parameters[name] = HeaderText.decodeKeepingSpaces(bytes).trimmingASCIIWhitespace()
    }
    for (name, parts) in sections {
      if let joined = joinSections(parts) { parameters[name] = joined }
    }
    return HeaderParameters(value: value, parameters: parameters)
  }

  /// Joins RFC 2231 sections in order: the first extended section may carry
  /// `charset'language'`, extended sections are percent-encoded.
  private static func joinSections(_ parts: [Section]) -> String? {
    let ordered = parts.sorted { $0.index < $1.index }
    var charset: String?
    var bytes: [UInt8] = []
    for (position, part) in ordered.enumerated() {
      var content = part.bytes
      if part.extended {
        if position == 0 {
          let quotes = content.indices.filter { content[$0] == UInt8(ascii: "'") }
          if quotes.count >= 2 {
            let name = String(decoding: content[..<quotes[0]], as: UTF8.self)
            if !name.isEmpty { charset = name }
            content = Array(content[(quotes[1] + 1)...])
          }
        }
        bytes += percentDecode(content)
      } else {
        bytes += content
      }
    }
    guard !bytes.isEmpty else { return nil }
    if charset == nil, containsEncodedWord(bytes) {
      return HeaderText.decodeKeepingSpaces(bytes).trimmingASCIIWhitespace()
    }
    return Charset.decode(bytes, declared: charset).trimmingASCIIWhitespace()
  }

  private static func containsEncodedWord(_ bytes: [UInt8]) -> Bool {
    bytes.indices.contains { index in
      index + 1 < bytes.count && bytes[index] == UInt8(ascii: "=")
        && bytes[index + 1] == UInt8(ascii: "?")
    }
  }

  private static func percentDecode(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
        let byte = ByteSearch.hexByte(bytes[index + 1], bytes[index + 2])
      {
        output.append(byte)
        index += 3
      } else {
        output.append(bytes[index])
        index += 1
      }
    }
    return output
  }

  /// Splits on `;` outside quoted strings.
  private static func splitSegments(_ raw: [UInt8]) -> [[UInt8]] {
    var segments: [[UInt8]] = []
    var current: [UInt8] = []
    var inQuotes = false
    var escaped = false
    for byte in raw {
      if escaped {
        escaped = false
        current.append(byte)
        continue
      }
      if inQuotes && byte == UInt8(ascii: "\\") {
        escaped = true
        current.append(byte)
        continue
      }
      if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
      if byte == UInt8(ascii: ";") && !inQuotes {
        segments.append(current)
        current = []
        continue
      }
      current.append(byte)
    }
    segments.append(current)
    return segments
  }

  /// Trims whitespace and removes surrounding quotes and backslash escapes.
  private static func unquote(_ raw: [UInt8]) -> [UInt8] {
    var start = 0
    var end = raw.count
    while start < end && (raw[start] == 0x20 || raw[start] == 0x09) { start += 1 }
    while end > start && (raw[end - 1] == 0x20 || raw[end - 1] == 0x09) { end -= 1 }
    guard start < end, raw[start] == UInt8(ascii: "\"") else { return Array(raw[start..<end]) }
    var output: [UInt8] = []
    var index = start + 1
    while index < end {
      let byte = raw[index]
      if byte == UInt8(ascii: "\\") && index + 1 < end {
        output.append(raw[index + 1])
        index += 2
        continue
      }
      if byte == UInt8(ascii: "\"") { break }
      output.append(byte)
      index += 1
    }
    return output
  }

  private static func stripComments(_ raw: [UInt8]) -> [UInt8] {
    var depth = 0
    var output: [UInt8] = []
    for byte in raw {
      if byte == UInt8(ascii: "(") {
        depth += 1
      } else if byte == UInt8(ascii: ")") && depth > 0 {
        depth -= 1
      } else if depth == 0 {
        output.append(byte)
      }
    }
    return output
  }
}

extension StringProtocol {
  /// The string without leading and trailing ASCII whitespace; Foundation-free so the MIME
  /// files build alone. A copy of valid UTF-8, not decoded again.
  func trimmingASCIIWhitespace() -> String {
    String(Substring(self).trimmedASCII())
  }
}

extension Substring {
  /// The slice without leading and trailing ASCII whitespace: a slice of the same storage, no
  /// copy (``StringProtocol/trimmingASCIIWhitespace()`` makes a new string). The bounds are next
  /// to ASCII bytes, so they fall on character boundaries.
  func trimmedASCII() -> Substring {
    let isSpace = ByteSearch.isTrimmable
    let bytes = utf8
    var start = bytes.startIndex
    var end = bytes.endIndex
    while start < end, isSpace(bytes[start]) { start = bytes.index(after: start) }
    while end > start {
      let before = bytes.index(before: end)
      guard isSpace(bytes[before]) else { break }
      end = before
    }
    return self[start..<end]
  }
}
