/// A CSV reader over UTF-8 bytes (RFC 4180: quoted fields, `""` escapes, line breaks inside
/// quotes), yielding one record at a time with the line it starts on.
///
/// It works on bytes rather than `Character`s because directory exports run to millions of rows
/// and grapheme breaking would dominate the import.
public struct CSVReader: Sendable {
  /// One record, or why it could not be read.
  public struct Record: Sendable, Equatable {
    /// The 1-based line the record starts on.
    public var line: Int
    public var fields: [String]
    /// Set when the record is malformed (an unterminated quote, text after a closing quote).
    public var error: String?
  }

  private let bytes: [UInt8]
  public let delimiter: UInt8
  /// The byte offset of the next record, for progress reporting.
  public private(set) var offset: Int
  private var line = 1

  private static let quote = UInt8(ascii: "\"")
  private static let newline = UInt8(ascii: "\n")
  private static let carriageReturn = UInt8(ascii: "\r")

  /// Reads `bytes` (UTF-8 without a BOM) split by `delimiter`.
  public init(bytes: [UInt8], delimiter: UInt8) {
    self.bytes = bytes
    self.delimiter = delimiter
    self.offset = 0
  }

  /// `;`, `,` or a tab: whichever occurs most often outside quotes in the first line (1C and
  /// Excel in a Russian locale write `;`, everything else `,`).
  public static func detectDelimiter(_ bytes: [UInt8]) -> UInt8 {
    var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
    var quoted = false
    for byte in bytes {
      if byte == quote {
        quoted.toggle()
      } else if !quoted && (byte == newline || byte == carriageReturn) {
        break
      } else if !quoted, let count = counts[byte] {
        counts[byte] = count + 1
      }
    }
    let best = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }
    guard let best, best.value > 0 else { return UInt8(ascii: ",") }
    return best.key
  }

  /// The next record, skipping blank lines; `nil` at the end.
  public mutating func next() -> Record? {
    while offset < bytes.count {
      let start = line
      let (fields, error) = bytes.withUnsafeBufferPointer { readRecord($0) }
      // Blank lines, and the rows of bare delimiters (`;;;;`) a spreadsheet writes where its
      // formatting went on past the data.
      if error == nil && fields.allSatisfy({ $0.allSatisfy { $0 == " " || $0 == "\t" } }) {
        continue
      }
      return Record(line: start, fields: fields, error: error)
    }
    return nil
  }

  private mutating func readRecord(_ buffer: UnsafeBufferPointer<UInt8>) -> ([String], String?) {
    var fields: [String] = []
    var index = offset
    let end = buffer.count
    var error: String?
    fieldLoop: while true {
      if index < end && buffer[index] == Self.quote {
        // A quoted field: collect bytes, un-doubling quotes, until the closing quote.
        var value: [UInt8] = []
        let openedAt = index
        let lineAtOpen = line
        index += 1
        var closed = false
        while index < end {
          let byte = buffer[index]
          if byte == Self.quote {
            if index + 1 < end && buffer[index + 1] == Self.quote {
              value.append(Self.quote)
              index += 2
              continue
            }
            index += 1
            closed = true
            break
          }
          if byte == Self.newline { line += 1 }
          value.append(byte)
          index += 1
        }
        let badEnd =
          !closed
          || (index < end && buffer[index] != delimiter && buffer[index] != Self.newline
            && buffer[index] != Self.carriageReturn)
        if badEnd && line > lineAtOpen {
          // A stray quote that opened a field running over line breaks to a quote that closes
          // nothing (`"ООО Ромашка;7707083893`): only its own line is malformed. The records
          // after it are read again, not swallowed into it.
          error =
            "a quote opens a field that is not closed on its line; a quote inside a "
            + "field must be doubled (\"\")"
          fields.append(String(decoding: value.prefix { $0 != Self.newline }, as: UTF8.self))
          index = openedAt
          line = lineAtOpen
          while index < end && buffer[index] != Self.newline { index += 1 }
          break fieldLoop
        }
        fields.append(String(decoding: value, as: UTF8.self))
        guard closed else {
          error = "a quoted field is not closed before the end of the file"
          break fieldLoop
        }
        if index < end && buffer[index] != delimiter && buffer[index] != Self.newline
          && buffer[index] != Self.carriageReturn
        {
          error = "text after a closing quote; a quote inside a field must be doubled (\"\")"
          // Skip to the end of the line so the next record starts cleanly.
          while index < end && buffer[index] != Self.newline { index += 1 }
          break fieldLoop
        }
      } else {
        let fieldStart = index
        while index < end {
          let byte = buffer[index]
          if byte == delimiter || byte == Self.newline || byte == Self.carriageReturn { break }
          index += 1
        }
        fields.append(
          String(decoding: UnsafeBufferPointer(rebasing: buffer[fieldStart..<index]), as: UTF8.self)
        )
      }
      if index < end && buffer[index] == delimiter {
        index += 1
        continue
      }
      break
    }
    // The record ends at a line break (CRLF, LF or a lone CR) or the end of the input.
    if index < end && buffer[index] == Self.carriageReturn { index += 1 }
    if index < end && buffer[index] == Self.newline { index += 1 }
    line += 1
    offset = index
    return (fields, error)
  }
}
