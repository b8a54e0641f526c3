import Foundation
import Testing

@testable import InletCore

/// Shared fixtures for the channel-definition tests: the repository's shipped definitions,
/// request builders and accessors that unwrap a ``HookOutcome``.
enum Fixtures {
  /// The repository root: `Tests/InletCoreTests/<file>` minus three components.
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The shipped `channels/` folder, read the way the daemon reads it (no resource bundle).
  static let channelsFolder = repositoryRoot.appendingPathComponent("channels")

  /// A fixed clock for inquiries, so `received_at` can be asserted.
  static let now = Date(timeIntervalSince1970: 1_750_000_000)

  /// Loads `channels/generic.yaml` from the repository.
  static func genericDefinition() throws -> ChannelDefinition {
    let url = channelsFolder.appendingPathComponent("generic.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    return try ChannelDefinitionLoader.parse(yaml: text, name: "generic", file: url.path)
  }

  /// A fresh, empty folder under the system temporary directory; the caller removes it.
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("inlet-core-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs `body` with a temporary folder that is removed afterwards.
  static func withTemporaryFolder<T>(_ body: (URL) throws -> T) throws -> T {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    return try body(folder)
  }

  /// Writes UTF-8 text into `folder/name`.
  static func write(_ text: String, to name: String, in folder: URL) throws {
    try Data(text.utf8).write(to: folder.appendingPathComponent(name))
  }
}

extension HookRequest {
  /// A POST with the given content type and body text.
  static func post(
    _ contentType: String?, _ body: String, query: [(name: String, value: String)] = [],
    headers: [(name: String, value: String)] = []
  ) -> HookRequest {
    post(contentType, bytes: Array(body.utf8), query: query, headers: headers)
  }

  /// A POST with the given content type and raw body bytes.
  static func post(
    _ contentType: String?, bytes: [UInt8], query: [(name: String, value: String)] = [],
    headers: [(name: String, value: String)] = []
  ) -> HookRequest {
    var all = headers
    if let contentType { all.append((name: "Content-Type", value: contentType)) }
    return HookRequest(
      method: "POST", query: query, rawQuery: rawQuery(query), headers: all, body: bytes,
      remoteAddress: "203.0.113.7")
  }

  /// A GET with only a query string.
  static func get(_ query: [(name: String, value: String)], subpath: String = "") -> HookRequest {
    HookRequest(
      method: "GET", subpath: subpath, query: query, rawQuery: rawQuery(query),
      remoteAddress: "203.0.113.7")
  }

  private static func rawQuery(_ query: [(name: String, value: String)]) -> String? {
    guard !query.isEmpty else { return nil }
    return query.map { FormURLEncoding.encode($0.name) + "=" + FormURLEncoding.encode($0.value) }
      .joined(separator: "&")
  }
}

extension HookOutcome {
  /// The submission of a `.store` outcome.
  var submission: RawSubmission? {
    if case .store(let submission) = self { return submission }
    return nil
  }

  /// The reply and its template context of a `.reply` outcome.
  var immediateReply: (reply: Reply, context: ReplyContext)? {
    if case .reply(let reply, let context) = self { return (reply, context) }
    return nil
  }

  /// The reason of an `.unauthenticated` outcome.
  var unauthenticatedReason: String? {
    if case .unauthenticated(let reason) = self { return reason }
    return nil
  }

  /// The failure of a `.refused` outcome.
  var refusal: HookFailure? {
    if case .refused(let failure) = self { return failure }
    return nil
  }
}

extension RawSubmission {
  /// The inquiry of an `.inquiry` disposition.
  var inquiry: Inquiry? {
    if case .inquiry(let inquiry) = disposition { return inquiry }
    return nil
  }

  /// The failure of a `.quarantined` disposition.
  var quarantineFailure: HookFailure? {
    if case .quarantined(let failure, _) = disposition { return failure }
    return nil
  }

  /// The partial inquiry of a `.quarantined` disposition.
  var quarantinePartial: Inquiry? {
    if case .quarantined(_, let partial) = disposition { return partial }
    return nil
  }

  /// The reason of an `.ignored` disposition.
  var ignoredReason: String? {
    if case .ignored(let reason) = disposition { return reason }
    return nil
  }
}

extension Reply {
  /// The `text` body rendered against a context, as the listener would send it.
  func renderedText(_ context: ReplyContext) -> String? {
    text?.render(context.resolve)
  }

  /// The `json` body with every string rendered as a template, as the listener would send it.
  func renderedJSON(_ context: ReplyContext) -> Value? {
    json.map { Self.render($0, context) }
  }

  private static func render(_ value: Value, _ context: ReplyContext) -> Value {
    switch value {
    case .string(let text): return .string(Template(text).render(context.resolve))
    case .array(let items): return .array(items.map { render($0, context) })
    case .object(let members): return .object(members.mapValues { render($0, context) })
    default: return value
    }
  }
}
