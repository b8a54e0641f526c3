import ArgumentParser
import Foundation
import InletCore
import InletStore

/// `inlet directory bench-match FILE`: matching latency over generated senders, next to one
/// indexed SQLite point lookup per sender (`bench/directory.sh`). Hidden: a measuring tool.
struct DirectoryBenchMatch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-match",
    abstract: "Time matching of the senders in a JSON lines file (email, phone, inn).",
    shouldDisplay: false)

  @OptionGroup var options: ConfigOption
  @Argument(help: "JSON lines: {\"email\": …, \"phone\": …, \"inn\": …}.") var file: String

  private struct Line: Decodable {
    var email: String?
    var phone: String?
    var inn: String?
  }

  func run() throws {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw fail("cannot read \(file)")
    }
    let decoder = JSONDecoder()
    let senders = try data.split(separator: UInt8(ascii: "\n")).map { line in
      let item = try decoder.decode(Line.self, from: Data(line))
      return (
        Inquiry.Sender(email: item.email, phone: item.phone),
        item.inn.map { Inquiry.Company(inn: $0) }
      )
    }
    let database = try openDirectoryDatabase(options.config).database
    // One untimed pass warms the page cache, as a running daemon's would be.
    _ = try database.matchTimings(Array(senders.prefix(10_000)))
    let timings = try database.matchTimings(senders)
    let report: [String: Any] = [
      "inquiries": senders.count,
      "match_us": Self.summary(timings.match),
      "point_lookup_us": Self.summary(timings.pointLookup),
      "outcomes": timings.outcomes,
    ]
    let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
  }

  static func summary(_ values: [Double]) -> [String: Double] {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return [:] }
    func percentile(_ p: Double) -> Double {
      let index = min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)
      return (sorted[max(0, index)] * 10).rounded() / 10
    }
    let mean = sorted.reduce(0, +) / Double(sorted.count)
    return [
      "p50": percentile(0.5), "p90": percentile(0.9), "p99": percentile(0.99),
      "max": percentile(1), "mean": (mean * 10).rounded() / 10,
    ]
  }
}
