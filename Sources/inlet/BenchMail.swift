import ArgumentParser
import Foundation
import InletMail

/// `inlet bench-mail DIR`: parse-and-normalise throughput over the `.eml` files in a folder
/// (`bench/mail-parse.sh`). Hidden: a measuring tool.
struct BenchMail: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-mail",
    abstract: "Time mail normalisation over the .eml files in a folder.",
    shouldDisplay: false)

  @Argument(help: "A folder of .eml files.") var directory: String

  func run() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
      .filter { $0.hasSuffix(".eml") }.sorted()
    let letters = names.compactMap { name in
      FileManager.default.contents(atPath: directory + "/" + name).map { [UInt8]($0) }
    }
    guard !letters.isEmpty else { throw fail("no .eml files in \(directory)") }
    let options = MailOptions(ownAddresses: ["@example.ru"])
    let bytes = letters.reduce(0) { $0 + $1.count }
    let cpuStart = Self.cpuSeconds()
    let start = ContinuousClock.now
    var outcomes: [String: Int] = [:]
    var phones = 0
    var attachments = 0
    for raw in letters {
      switch MailNormaliser.normalise(raw, options: options) {
      case .letter(let letter):
        outcomes["letter", default: 0] += 1
        phones += letter.phones.count
        attachments += letter.attachments.count
      case .ignored(let reason, _):
        outcomes["ignored:" + reason, default: 0] += 1
      case .unparseable:
        outcomes["unparseable", default: 0] += 1
      }
    }
    let elapsed = ContinuousClock.now - start
    let cpu = Self.cpuSeconds() - cpuStart
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let report: [String: Any] = [
      "implementation": "inlet",
      "letters": letters.count,
      "bytes": bytes,
      "seconds": seconds,
      "letters_per_s": Double(letters.count) / seconds,
      "mb_per_s": Double(bytes) / 1_048_576 / seconds,
      "cpu_seconds": cpu,
      "letters_per_cpu_s": Double(letters.count) / cpu,
      "outcomes": outcomes,
      "phones": phones,
      "attachments": attachments,
    ]
    let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
  }

  /// User and system CPU time of this process: less disturbed than wall time when other work
  /// shares the machine.
  static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }
}
