import Foundation

/// Reads a directory export — CSV (`,`/`;`/tab detected, UTF-8 or windows-1251) or JSON lines —
/// into records, reporting each malformed row with its line number instead of stopping.
public struct DirectoryFileReader: Sendable {
  /// The file formats.
  public enum Format: String, Sendable, CaseIterable {
    case csv
    case jsonl
  }

  /// The text encodings.
  public enum Encoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case windows1251 = "windows-1251"
  }

  /// One record or one malformed row.
  public enum Item: Sendable, Equatable {
    case record(DirectoryRecord, line: Int)
    case malformed(line: Int, reason: String)
  }

  public let kind: DirectoryKind
  public let format: Format
  public let encoding: Encoding
  /// The CSV delimiter detected (or given).
  public let delimiter: Character?
  /// CSV columns that fill no field.
  public let ignoredColumns: [String]
  /// The size of the decoded text, for progress.
  public var totalBytes: Int { text.count }
  /// How far reading got, for progress.
  public var bytesRead: Int { csv?.offset ?? jsonOffset }

  private let text: [UInt8]
  private var csv: CSVReader?
  private let mapper: DirectoryRowMapper?
  private var jsonOffset = 0
  private var jsonLine = 0
  private let decoder = JSONDecoder()

  /// Prepares to read `bytes`; `format` and `encoding` are detected when `nil`. Throws when the
  /// file as a whole cannot be read (no `id` column, an unknown mapped field, bad encoding).
  public init(
    bytes: [UInt8], kind: DirectoryKind, format: Format? = nil, encoding: Encoding? = nil,
    columnMap: [String: String] = [:], fileName: String = ""
  ) throws(DirectoryImportError) {
    self.kind = kind
    var bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    let isUTF8 = (try? UTF8Span(validating: bytes.span)) != nil
    let encoding = encoding ?? (isUTF8 ? .utf8 : .windows1251)
    switch encoding {
    case .utf8:
      guard isUTF8 else {
        throw DirectoryImportError("the file is not valid UTF-8 (try --encoding windows-1251)")
      }
      text = bytes
    case .windows1251:
      // Every byte is defined in windows-1251 except 0x98, so this fails only on binary input.
      guard let decoded = String(data: Data(bytes), encoding: .windowsCP1251) else {
        throw DirectoryImportError("the file is not windows-1251 text")
      }
      text = Array(decoded.utf8)
    }
    self.encoding = encoding
    let lowerName = fileName.lowercased()
    let detected: Format
    if let format {
      detected = format
    } else if lowerName.hasSuffix(".jsonl") || lowerName.hasSuffix(".ndjson") {
      detected = .jsonl
    } else if lowerName.hasSuffix(".csv") {
      detected = .csv
    } else {
      let first = text.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
      detected = first == UInt8(ascii: "{") ? .jsonl : .csv
    }
    self.format = detected
    switch detected {
    case .jsonl:
      delimiter = nil
      mapper = nil
      ignoredColumns = []
      csv = nil
    case .csv:
      let separator = CSVReader.detectDelimiter(text)
      var reader = CSVReader(bytes: text, delimiter: separator)
      guard let header = reader.next() else { throw DirectoryImportError("the file is empty") }
      if let error = header.error { throw DirectoryImportError("line 1 (header): \(error)") }
      let mapper = try DirectoryRowMapper(kind: kind, header: header.fields, columnMap: columnMap)
      delimiter = Character(Unicode.Scalar(separator))
      self.mapper = mapper
      ignoredColumns = mapper.ignoredColumns
      csv = reader
    }
  }

  /// The next record or malformed row; `nil` at the end.
  public mutating func next() -> Item? {
    if csv != nil, let mapper {
      guard let row = csv!.next() else { return nil }
      if let error = row.error { return .malformed(line: row.line, reason: error) }
      do {
        return .record(try mapper.record(row.fields), line: row.line)
      } catch {
        return .malformed(line: row.line, reason: error.message)
      }
    }
    return nextJSONLine()
  }

  private mutating func nextJSONLine() -> Item? {
    while jsonOffset < text.count {
      jsonLine += 1
      let start = jsonOffset
      var end = start
      while end < text.count && text[end] != 0x0A { end += 1 }
      jsonOffset = end + 1
      let slice = text[start..<end]
      if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      do {
        let data = Data(slice)
        switch kind {
        case .clients:
          return .record(
            .client(try decoder.decode(DirectoryClient.self, from: data)), line: jsonLine)
        case .contacts:
          return .record(
            .contact(try decoder.decode(DirectoryContact.self, from: data)), line: jsonLine)
        case .interests:
          return .record(
            .interest(try decoder.decode(DirectoryInterest.self, from: data)), line: jsonLine)
        }
      } catch {
        return .malformed(line: jsonLine, reason: DecodingProblem.describe(error))
      }
    }
    return nil
  }
}
