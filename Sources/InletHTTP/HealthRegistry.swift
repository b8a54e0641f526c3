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

  /// Declares a channel (at start-up and on reload) so it shows before its first request.
  public func register(channel name: String, definition: String) {
    states.withLock { states in
      if states[name] == nil {
        states[name] = State(
          name: name, kind: "webhook", definition: definition, status: "ok", requests: 0,
          authFailures: 0)
      }
      states[name]?.definition = definition
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

  /// Forgets a channel or mailbox that a reload removed.
  public func remove(_ name: String) {
    _ = states.withLock { $0.removeValue(forKey: name) }
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

  public func recordAuthFailure(channel: String) {
    update(channel) { $0.authFailures += 1 }
  }

  public func recordSuccess(channel: String, at date: Date = Date()) {
    update(channel) { state in
      state.status = "ok"
      state.lastSuccessAt = date
      state.failingSince = nil
    }
    guard storageFailing.load(ordering: .relaxed) else { return }
    states.withLock { states in
      // Under the lock that records failures: a failure recorded meanwhile is either cleared
      // here or sets the flag again after.
      storageFailing.store(false, ordering: .relaxed)
      for (name, state) in states
      where state.kind == "webhook" && state.status == "failing"
        && state.lastError?.hasPrefix(Self.storagePrefix) == true
      {
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
