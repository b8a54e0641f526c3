import Foundation
import Synchronization

/// What the daemon knows about each channel's health, for `/health` and `inlet status`.
public final class HealthRegistry: Sendable {
  /// One channel's (or mailbox's) state.
  public struct State: Sendable, Codable, Equatable {
    public var name: String
    public var kind: String
    public var definition: String?
    public var status: String
    public var requests: Int
    public var authFailures: Int
    public var lastRequestAt: Date?
    public var lastSuccessAt: Date?
    public var failingSince: Date?
    public var lastError: String?
    /// Requests refused (authentication, `allow_from`) since the last one taken, and when the
    /// first of them came: not in the health document, which shows what they led to.
    var refusedInARow = 0
    var firstRefusalAt: Date?

    enum CodingKeys: String, CodingKey {
      case name, kind, definition, status, requests
      case authFailures = "auth_failures"
      case lastRequestAt = "last_request_at"
      case lastSuccessAt = "last_success_at"
      case failingSince = "failing_since"
      case lastError = "last_error"
    }
  }

  private let states = Mutex<[String: State]>([:])
  private let readyFlag = Atomic<Bool>(false)
  /// Whether some channel is failing because the store was (a storage error is the database's,
  /// not the channel's: any channel's next stored request clears it for all).
  private let storageFailing = Atomic<Bool>(false)

  public init() {}

  /// Whether migrations ran and the listener is bound.
  public var isReady: Bool { readyFlag.load(ordering: .acquiring) }

  public func markReady(_ ready: Bool = true) { readyFlag.store(ready, ordering: .releasing) }

  /// Declares a channel (at start-up and on reload) so it shows before its first request. A
  /// reload may have corrected the channel's secret: its refusals start counting again.
  public func register(channel name: String, definition: String) {
    states.withLock { states in
      // New, or a mailbox of that name a reload turned into a channel: a channel from now.
      if states[name]?.kind != "webhook" {
        states[name] = State(
          name: name, kind: "webhook", definition: definition, status: "ok", requests: 0,
          authFailures: 0)
      }
      states[name]!.definition = definition
      Self.forgetRefusals(&states[name]!)
    }
  }

  /// Declares a mailbox (`kind: mailbox`); it is `ok` until its first pass says otherwise.
  public func register(mailbox name: String) {
    states.withLock { states in
      if states[name] == nil {
        states[name] = State(
          name: name, kind: "mailbox", definition: nil, status: "ok", requests: 0,
          authFailures: 0)
      }
    }
  }

  /// Forgets a mailbox a reload removed — unless the name is a channel's by now (renamed in the
  /// same reload).
  public func remove(mailbox name: String) {
    states.withLock { states in
      if states[name]?.kind == "mailbox" { states[name] = nil }
    }
  }

  /// Forgets every webhook channel not in `names` (a reload removed them).
  public func retainChannels(_ names: Set<String>) {
    states.withLock { states in
      states = states.filter { $0.value.kind != "webhook" || names.contains($0.key) }
    }
  }

  func recordRequest(channel: String, at date: Date = Date()) {
    update(channel) { state in
      state.requests += 1
      state.lastRequestAt = date
    }
  }

  /// Refused requests in a row, none taken between them, that make a channel `failing`: a
  /// provider whose every request is refused (a wrong secret pasted, a new address outside
  /// `allow_from`) gives up on its leads, and nobody would know from a channel that says `ok`.
  public static let refusalsToFail = 5
  /// How a refusal's `last_error` starts.
  public static let refusalPrefix = "refusing: "

  /// Refusals further apart than this do not add up: a few strangers' requests over days are
  /// no broken channel.
  public static let refusalWindow: TimeInterval = 24 * 3600

  /// A request refused before it was read (authentication, `allow_from`); `reason` says why
  /// (shown cut short and without control characters: it may quote the request).
  public func recordAuthFailure(channel: String, reason: String, at date: Date = Date()) {
    var shown = String(
      reason.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(120))
    if shown.count < reason.count { shown += "…" }
    update(channel) { state in
      state.authFailures += 1
      if state.status != "failing", let first = state.firstRefusalAt,
        date.timeIntervalSince(first) > Self.refusalWindow
      {
        state.refusedInARow = 0
      }
      state.refusedInARow += 1
      if state.refusedInARow == 1 { state.firstRefusalAt = date }
      guard state.refusedInARow >= Self.refusalsToFail else { return }
      // A failure of another kind (the store) stays what the channel shows.
      if state.status == "failing", state.lastError?.hasPrefix(Self.refusalPrefix) != true {
        return
      }
      if state.status != "failing" { state.failingSince = state.firstRefusalAt ?? date }
      state.status = "failing"
      state.lastError =
        Self.refusalPrefix + "the last \(state.refusedInARow) requests were refused (\(shown)) "
        + "and none was taken since; does the channel's secret (or allow_from) match the "
        + "provider's settings?"
    }
  }

  /// A request that passed the channel's authentication (stored, answered at once, or refused
  /// over a rate limit): the channel's secret is right, its refusals were strangers'.
  public func recordAuthenticated(channel: String) {
    update(channel) { Self.forgetRefusals(&$0) }
  }

  private static func forgetRefusals(_ state: inout State) {
    state.refusedInARow = 0
    state.firstRefusalAt = nil
    if state.status == "failing", state.lastError?.hasPrefix(refusalPrefix) == true {
      state.status = "ok"
      state.failingSince = nil
    }
  }

  /// Something of the channel worked: a request stored, or (`request: false`) a subscription
  /// renewed at the provider, which says nothing about the requests it sends being refused.
  /// Only a success that `wrote` to the database (by default, a request) clears a storage
  /// failure — the channel's own and every other's: a renewal, or a mailbox pass that found no
  /// new letter, says nothing of a full disk.
  public func recordSuccess(
    channel: String, request: Bool = true, wrote: Bool? = nil, at date: Date = Date()
  ) {
    let wrote = wrote ?? request
    update(channel) { state in
      let failure = state.status == "failing" ? state.lastError : nil
      if !request && failure?.hasPrefix(Self.refusalPrefix) == true
        || !wrote && failure?.hasPrefix(Self.storagePrefix) == true
      {
        state.lastSuccessAt = date
        return
      }
      state.status = "ok"
      state.lastSuccessAt = date
      state.failingSince = nil
      Self.forgetRefusals(&state)
    }
    guard wrote, storageFailing.load(ordering: .relaxed) else { return }
    states.withLock { states in
      // Under the lock that records failures: a failure recorded meanwhile is either cleared
      // here or sets the flag again after.
      storageFailing.store(false, ordering: .relaxed)
      for (name, state) in states
      where state.status == "failing" && state.lastError?.hasPrefix(Self.storagePrefix) == true {
        states[name]?.status = "ok"
        states[name]?.failingSince = nil
      }
    }
  }

  /// How a storage error's message starts (`storage: database is locked`).
  public static let storagePrefix = "storage: "

  public func recordFailure(channel: String, error: String, at date: Date = Date()) {
    update(channel) { state in
      if error.hasPrefix(Self.storagePrefix) { storageFailing.store(true, ordering: .relaxed) }
      if state.status != "failing" { state.failingSince = date }
      state.status = "failing"
      state.lastError = error
    }
  }

  private func update(_ name: String, _ change: (inout State) -> Void) {
    states.withLock { states in
      guard var state = states[name] else { return }
      change(&state)
      states[name] = state
    }
  }

  /// Every channel, sorted by name.
  public var snapshot: [State] {
    states.withLock { Array($0.values) }.sorted { $0.name < $1.name }
  }
}
