import Foundation
import Testing

@testable import InletCore

/// Reading directory exports: CSV dialects and encodings, the column map, JSON lines, and
/// malformed rows reported by line.
@Suite("Directory files")
struct DirectoryFileTests {
  static let folder = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/directory")

  static func items(_ reader: inout DirectoryFileReader) -> [DirectoryFileReader.Item] {
    var items: [DirectoryFileReader.Item] = []
    while let item = reader.next() { items.append(item) }
    return items
  }

  @Test("a windows-1251 `;` export with a column map: rows imported, malformed ones by line")
  func windows1251() throws {
    let bytes = try Array(Data(contentsOf: Self.folder.appendingPathComponent("clients-1251.csv")))
    var reader = try DirectoryFileReader(
      bytes: bytes, kind: .clients, columnMap: ["Наименование": "name", "инн": "inn"],
      fileName: "clients-1251.csv")
    #expect(reader.encoding == .windows1251)
    #expect(reader.format == .csv)
    #expect(reader.delimiter == ";")
    #expect(reader.ignoredColumns.isEmpty)
    let items = Self.items(&reader)
    #expect(items.count == 6)
    #expect(
      items[0]
        == .record(
          .client(
            DirectoryClient(
              id: "c1", name: "ООО «Ромашка»", inn: "7707083893", domains: ["romashka.ru"],
              emails: ["info@romashka.ru", "Sales@Romashka.ru"], phones: ["8 (495) 111-22-33"],
              potential: false)), line: 2))
    // A quoted cell keeps its `;` and un-doubles its quotes.
    guard case .record(.client(let lutik), 3) = items[1] else {
      Issue.record("expected c2 at line 3, got \(items[1])")
      return
    }
    #expect(lutik.name == "ООО \"Лютик\"; филиал")
    #expect(lutik.potential)
    #expect(items[2] == .malformed(line: 4, reason: "expected 7 fields, found 3"))
    guard case .record(.client(let gazprom), 5) = items[3] else {
      Issue.record("expected c4 at line 5, got \(items[3])")
      return
    }
    #expect(gazprom.phones == ["+7 916 000-00-01"])
    guard case .malformed(6, let reason) = items[4] else {
      Issue.record("expected a malformed row at line 6, got \(items[4])")
      return
    }
    #expect(reason.contains("closing quote"))
    guard case .record(.client(let ivanov), 7) = items[5] else {
      Issue.record("expected c6 at line 7, got \(items[5])")
      return
    }
    #expect(ivanov.potential)
  }

  @Test("a `person` column marks private buyers (да/нет, 1/0); another word is malformed")
  func personColumn() throws {
    let text = """
      id,name,phones,person
      c1,Петров Пётр,+7 903 555-66-77,да
      c2,ООО Кедр,+7 495 333-44-55,0
      c3,Сидорова,,может быть
      c4,ООО Без отметки,,

      """
    var reader = try DirectoryFileReader(
      bytes: Array(text.utf8), kind: .clients, fileName: "clients.csv")
    let items = Self.items(&reader)
    #expect(items.count == 4)
    guard case .record(.client(let petrov), 2) = items[0],
      case .record(.client(let kedr), 3) = items[1],
      case .record(.client(let unmarked), 5) = items[3]
    else {
      Issue.record("unexpected items: \(items)")
      return
    }
    #expect(petrov.person)
    #expect(!kedr.person)
    #expect(!unmarked.person)
    #expect(
      items[2]
        == .malformed(line: 4, reason: "person: `может быть` is not true/false (1/0, да/нет)")
    )
  }

  @Test("a UTF-8 `,` export; a row without an id is malformed")
  func utf8Comma() throws {
    let bytes = try Array(Data(contentsOf: Self.folder.appendingPathComponent("contacts.csv")))
    var reader = try DirectoryFileReader(bytes: bytes, kind: .contacts, fileName: "contacts.csv")
    #expect(reader.encoding == .utf8)
    #expect(reader.delimiter == ",")
    let items = Self.items(&reader)
    #expect(
      items == [
        .record(
          .contact(
            DirectoryContact(
              id: "p1", clientID: "c1", name: "Иван Петров", emails: ["ivan@romashka.ru"],
              phones: ["+7 916 123-45-67"], messengers: ["telegram:1001"])), line: 2),
        .record(
          .contact(
            DirectoryContact(id: "p2", clientID: "c4", name: "Олег", phones: ["8 916 000-00-02"])),
          line: 3),
        .malformed(line: 4, reason: "the id is empty"),
      ])
  }

  @Test("rows of bare delimiters (a spreadsheet's formatted but empty rows) are skipped")
  func delimiterOnlyRows() throws {
    let text = "id;name\r\n1;A\r\n;\r\n;;\r\n ; \r\n2;B\r\n;\r\n"
    var reader = try DirectoryFileReader(
      bytes: Array(text.utf8), kind: .clients, fileName: "clients.csv")
    let items = Self.items(&reader)
    #expect(
      items == [
        .record(.client(DirectoryClient(id: "1", name: "A")), line: 2),
        .record(.client(DirectoryClient(id: "2", name: "B")), line: 6),
      ])
  }

  @Test("JSON lines: dates in three formats, a bad status reported by line, blank lines skipped")
  func jsonLines() throws {
    let bytes = try Array(Data(contentsOf: Self.folder.appendingPathComponent("interests.jsonl")))
    var reader = try DirectoryFileReader(bytes: bytes, kind: .interests, fileName: "x.jsonl")
    #expect(reader.format == .jsonl)
    let items = Self.items(&reader)
    #expect(items.count == 4)
    #expect(
      items[0]
        == .record(
          .interest(
            DirectoryInterest(
              id: "i1", clientID: "c1", title: "Лицензии", stage: "КП", status: .open,
              updatedAt: DirectoryDate.parse("2026-11-01T10:00:00Z"))), line: 1))
    guard case .record(.interest(let closed), 2) = items[1] else {
      Issue.record("expected i2 at line 2, got \(items[1])")
      return
    }
    #expect(closed.status == .closed)
    #expect(closed.updatedAt == DirectoryDate.parse("2025-11-01T10:00:00Z"))
    guard case .malformed(4, let reason) = items[2] else {
      Issue.record("expected a malformed row at line 4, got \(items[2])")
      return
    }
    #expect(reason.contains("status"))
    guard case .record(.interest(let dated), 5) = items[3] else {
      Issue.record("expected i4 at line 5, got \(items[3])")
      return
    }
    #expect(dated.updatedAt == DirectoryDate.parse("2026-10-01T00:00:00Z"))
  }

  @Test("the whole file is refused without an id column or with an unknown mapped field")
  func headerErrors() {
    #expect(throws: DirectoryImportError.self) {
      _ = try DirectoryFileReader(bytes: Array("name,inn\nA,1\n".utf8), kind: .clients)
    }
    #expect(throws: DirectoryImportError.self) {
      _ = try DirectoryFileReader(
        bytes: Array("Код,name\n1,A\n".utf8), kind: .clients, columnMap: ["Код": "code"])
    }
    #expect(throws: DirectoryImportError.self) {
      _ = try DirectoryFileReader(
        bytes: Array("id,name\n1,A\n".utf8), kind: .clients, encoding: .utf8,
        columnMap: ["name": "id"])
    }
  }

  @Test(arguments: [
    ("id;name\n1;a,b\n", ";"), ("id,name\n1,\"a;b\"\n", ","), ("id\tname\n", "\t"),
    ("id\n1\n", ","), ("\"i;d\",name\n", ","),
  ])
  func delimiter(text: String, expected: String) {
    #expect(CSVReader.detectDelimiter(Array(text.utf8)) == Array(expected.utf8)[0])
  }

  @Test("quoted line breaks, CRLF and a missing final newline keep line numbers right")
  func lineNumbers() {
    var reader = CSVReader(
      bytes: Array("a,b\r\n\"x\ny\",2\r\n\r\nlast,3".utf8), delimiter: UInt8(ascii: ","))
    var records: [CSVReader.Record] = []
    while let record = reader.next() { records.append(record) }
    #expect(records.map(\.line) == [1, 2, 5])
    #expect(records[1].fields == ["x\ny", "2"])
    #expect(records[2].fields == ["last", "3"])
    var unterminated = CSVReader(bytes: Array("a,\"b\n".utf8), delimiter: UInt8(ascii: ","))
    let broken = unterminated.next()
    #expect(broken?.error != nil)
    // A stray quote: only its own row is malformed; the rows after it are read, whether the
    // file has no other quote or a later one that closes nothing.
    for rest in ["C-3;ООО Астра;5001007329\n", "C-3;\"ИП Иванов\";5001007329\n"] {
      var stray = CSVReader(
        bytes: Array(
          ("id;name;inn\nC-1;\"ООО Ромашка;7707083893\nC-2;ООО Лютик;7728168971\n" + rest).utf8),
        delimiter: UInt8(ascii: ";"))
      var read: [CSVReader.Record] = []
      while let record = stray.next() { read.append(record) }
      #expect(read.map(\.line) == [1, 2, 3, 4], "\(read)")
      #expect(read[1].error != nil)
      #expect(read[2].fields == ["C-2", "ООО Лютик", "7728168971"])
      #expect(read[3].error == nil && read[3].fields.first == "C-3")
    }
  }

  @Test(
    "dates: zone offsets are applied or refused, never dropped; RFC 3339 years only",
    arguments: [
      ("2020-01-01T00:00:00+18:00", "2019-12-31T06:00:00Z"),
      ("2020-01-01T00:00:00-18:00", "2020-01-01T18:00:00Z"),
      ("2020-01-01T00:00:00-18:01", nil), ("2020-01-01T00:00:00+23:59", nil),
      ("2020-01-01 10:00:00-05:00", nil), ("01.02.2020 10:11:12", "2020-02-01T10:11:12Z"),
      ("0001-01-01T00:00:00+05:00", "0000-12-31T19:00:00Z"), ("01.01.0000", "0000-01-01T00:00:00Z"),
      ("0000-01-01T00:00:00+05:00", nil), ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
      ("9999-12-31T23:00:00Z", "9999-12-31T23:00:00Z"),
      ("9999-12-31T23:00:00-05:00", nil), ("99999-01-01", nil),
    ] as [(String, String?)])
  func dates(raw: String, expected: String?) {
    #expect(DirectoryDate.parse(raw).map(DirectoryDate.format) == expected)
  }

  @Test(arguments: [
    ("abc", "abc"), ("  a b  ", "a b"), ("\tЁж\r\n", "Ёж"), ("\u{00A0}ООО\u{2003}", "ООО"),
    ("   ", ""), ("", ""), ("x ", "x"), (" y", "y"),
  ])
  func trimming(raw: String, expected: String) {
    #expect(raw.trimmedSpaces == expected)
    #expect(raw.trimmedSpaces == raw.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
