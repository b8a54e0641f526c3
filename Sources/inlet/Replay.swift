import ArgumentParser
import Foundation
import InletDaemon
import InletStore

struct ReplayCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Re-normalise quarantined raw items (or all of them) with this version's rules.",
    discussion: """
      Run after an upgrade or a channel-definition fix. Idempotent: a second run changes
      nothing. Webhook items need their channel still configured; with --all, inquiries made
      from a raw item get its re-extracted content (status and decisions are kept). A call's
      events are replayed only when the call never took them (quarantined, ignored).
      """)

  @OptionGroup var options: ConfigOption
  @Flag(help: "Every raw item, not only the quarantined ones.") var all = false

  func run() async throws {
    let loaded = try options.load()
    let counts: [ReplayResult: Int]
    do {
      counts = try await Replay.run(loaded: loaded, all: all)
    } catch let error as ServerError {
      throw fail(error.description)
    }
    let total = counts.values.reduce(0, +)
    let parts = ReplayResult.allCases.compactMap { result in
      counts[result].map { "\($0) \(result.rawValue)" }
    }
    print(
      "replayed \(total) raw items" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")))
    if let failed = counts[.failed] {
      throw fail("\(failed) raw items could not be stored (above); the others were replayed")
    }
  }
}
