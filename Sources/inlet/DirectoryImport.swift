import ArgumentParser
import Foundation
import InletCore
import InletDaemon
import InletStore

#if canImport(Glibc)
  import Glibc
#endif

/// `inlet directory import --kind clients|contacts|interests FILE`.
struct DirectoryImport: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import (add or replace) directory records from CSV or JSON lines.",
    discussion: """
      CSV needs a header row; `,`, `;` or tab is detected, UTF-8 or windows-1251 is detected.
      List cells (emails, phones, domains, messengers) are split on `|`. A malformed row is
      reported with its line number and the rest is imported (exit status 1). The still-new
      inquiries are matched again at the end.
      """)

  @OptionGroup var options: ConfigOption
  @Option(help: "clients, contacts or interests.") var kind: String
  @Option(help: "csv or jsonl (default: from the extension or the first character).")
  var format: String?
  @Option(help: "utf-8 or windows-1251 (default: detected).") var encoding: String?
  @Option(
    name: .customLong("map"),
    help: "Rename a CSV column: 'HEADER=field' (e.g. 'Наименование=name'); repeatable.")
  var map: [String] = []
  @Flag(help: "No progress bar even on a terminal.") var quiet = false
  @Flag(
    help: """
      The file is a full export: records of this kind it does not list (deleted in the CRM) \
      are removed — not when a row was malformed or the file holds none.
      """)
  var replaceAll = false
  @Option(
    help: """
      With --replace-all: when the export was taken (ISO 8601, e.g. 2026-12-02T02:00:00+03:00; \
      default: the file's modification time). A record the CRM wrote since is kept.
      """)
  var exportedAt: String?
  @Argument(help: "The file to import.") var file: String

  func run() async throws {
    guard let kind = DirectoryKind(rawValue: kind) else {
      throw fail("--kind must be clients, contacts or interests")
    }
    let format = try format.map { value in
      guard let parsed = DirectoryFileReader.Format(rawValue: value) else {
        throw fail("--format must be csv or jsonl")
      }
      return parsed
    }
    let encoding = try encoding.map { value in
      guard let parsed = DirectoryFileReader.Encoding(rawValue: value.lowercased()) else {
        throw fail("--encoding must be utf-8 or windows-1251")
      }
      return parsed
    }
    var columnMap: [String: String] = [:]
    for pair in map {
      guard let equals = pair.lastIndex(of: "=") else {
        throw fail("--map needs HEADER=field, got `\(pair)`")
      }
      columnMap[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
    }
    guard let data = FileManager.default.contents(atPath: file) else {
      throw fail("cannot read \(file)")
    }
    let exported = try exportTime()
    let (database, besideDaemon) = try openDirectoryDatabase(options.config)
    var reader: DirectoryFileReader
    do {
      reader = try DirectoryFileReader(
        bytes: Array(data), kind: kind, format: format, encoding: encoding, columnMap: columnMap,
        fileName: file)
    } catch {
      throw fail("\(file): \(error)")
    }
    if !reader.ignoredColumns.isEmpty {
      warn("\(file): ignoring columns \(reader.ignoredColumns.joined(separator: ", "))")
    }
    let normalizer = database.directorySettings.normalizer
    let progress = ProgressBar(
      enabled: !quiet && isatty(STDERR_FILENO) == 1, label: "importing \(kind.rawValue)")
    let started = Date()
    var imported = 0
    var malformed = 0
    // The ids of a full export (`--replace-all`): what it does not list goes.
    var listed: Set<String> = []
    // Parsing runs here; each chunk is normalised and laid out for the writer in its own task
    // (both cores) and written after the chunk before it, so a record repeated in the file ends
    // as its last row says.
    func importChunks() async throws {
      try await database.checkpointingInBackground {
        var chunk: [DirectoryRecord] = []
        chunk.reserveCapacity(Self.chunkSize)
        var pending: [Task<Void, any Error>] = []
        func flush() async throws {
          let batch = chunk
          let previous = pending.last
          pending.append(
            Task {
              let prepared = DirectoryImportChunk(batch.map(normalizer.normalize))
              try await previous?.value
              try await database.importDirectory(prepared)
              // A moment between two chunks' transactions for a running daemon's writes (they
              // wait for this command's lock meanwhile).
              if besideDaemon { try await Task.sleep(for: .milliseconds(5)) }
            })
          imported += batch.count
          chunk = []
          chunk.reserveCapacity(Self.chunkSize)
          if pending.count > 3 { try await pending.removeFirst().value }
        }
        while let item = reader.next() {
          switch item {
          case .record(let record, _):
            if replaceAll, let id = DirectoryNormalizer.trimmed(record.id) { listed.insert(id) }
            chunk.append(record)
            if chunk.count == Self.chunkSize {
              try await flush()
              progress.update(
                done: reader.bytesRead, total: reader.totalBytes, rows: imported,
                malformed: malformed
              )
            }
          case .malformed(let line, let reason):
            malformed += 1
            progress.clear()
            if malformed <= Self.maxReported {
              warn("\(file):\(line): \(reason)")
            } else if malformed == Self.maxReported + 1 {
              warn("\(file): more malformed rows; only the first \(Self.maxReported) are listed")
            }
          }
        }
        if !chunk.isEmpty { try await flush() }
        for task in pending { try await task.value }
      }
    }
    // Chunks written before a failure stay (importing the file again is idempotent): the new
    // inquiries are matched against what the directory holds now, whatever happened.
    do {
      try await importChunks()
    } catch {
      _ = try? await database.rematchNewInquiries()
      throw error
    }
    progress.finish()
    var removal = ""
    if replaceAll {
      if malformed > 0 {
        // A row that could not be read may be a record still in the CRM.
        removal = "; nothing removed (--replace-all): fix the malformed rows and import again"
      } else if listed.isEmpty {
        removal = "; nothing removed (--replace-all): the file lists no \(kind.rawValue)"
      } else {
        do {
          let result = try await database.removeDirectoryRecords(
            kind, notIn: listed, writtenBefore: exported)
          removal = "; \(result.removed) \(kind.rawValue) not in the file removed"
          if result.newer > 0 {
            removal += " (\(result.newer) written since the export kept)"
          }
        } catch {
          _ = try? await database.rematchNewInquiries()
          throw error
        }
      }
    }
    let rematched = try await database.rematchNewInquiries()
    let seconds = Date().timeIntervalSince(started)
    let rate = seconds > 0 ? Int(Double(imported) / seconds) : imported
    print(
      "imported \(imported) \(kind.rawValue) from \(file) in "
        + String(format: "%.2f", seconds) + " s (\(rate) rows/s, \(reader.format.rawValue)"
        + (reader.delimiter.map { ", delimiter \($0)" } ?? "") + ", \(reader.encoding.rawValue))"
        + (malformed > 0 ? "; \(malformed) malformed rows skipped" : "") + removal
        + "; \(rematched) new inquiries matched again")
    if malformed > 0 { throw ExitCode(1) }
  }

  static let chunkSize = 20_000
  static let maxReported = 100

  /// When the export was taken: `--exported-at`, or the file's modification time (an export
  /// written by the CRM and imported as it is); now when neither can be had.
  private func exportTime() throws -> Date {
    if let exportedAt {
      let formatter = ISO8601DateFormatter()
      var date = formatter.date(from: exportedAt)
      if date == nil {
        formatter.formatOptions.insert(.withFractionalSeconds)
        date = formatter.date(from: exportedAt)
      }
      guard let date else {
        throw fail(
          "--exported-at needs an ISO 8601 time with its offset (2026-12-02T02:00:00+03:00), "
            + "got `\(exportedAt)`")
      }
      guard date <= Date() else { throw fail("--exported-at \(exportedAt) is in the future") }
      return date
    }
    let attributes = try? FileManager.default.attributesOfItem(atPath: file)
    return min(attributes?[.modificationDate] as? Date ?? Date(), Date())
  }

  private func warn(_ message: String) {
    FileHandle.standardError.write(Data("inlet: \(message)\n".utf8))
  }
}
