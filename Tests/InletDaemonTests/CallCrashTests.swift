import Foundation
import GRDB
import InletCore
import InletStore
import Synchronization
import Testing

private final class CallProgress: Sendable {
  let acknowledged = Mutex<Set<Int>>([])
  let killed = Atomic<Bool>(false)
  let next = Atomic<Int>(0)
}

/// kill -9 during a stream of call events; the provider re-sends what it saw no 2xx for (as
/// Zadarma retries): every call ends as exactly one correct inquiry.
@Suite("Call crash", .serialized)
struct CallCrashTests {
  static let calls = 300

  /// Event `index`: call `index / 2`, start then end; odd calls are answered.
  static func event(_ index: Int) -> [(String, String)] {
    let call = index / 2
    let common: [(String, String)] = [
      ("call_start", "2026-11-29 10:00:00"), ("pbx_call_id", "crash_\(call)"),
      ("caller_id", "7916" + String(format: "%07d", call)), ("called_did", "74951112233"),
    ]
    if index % 2 == 0 { return [("event", "NOTIFY_START")] + common }
    let answered = call % 2 == 1
    return [("event", "NOTIFY_END")] + common + [
      ("internal", "101"), ("duration", answered ? "40" : "0"),
      ("disposition", answered ? "answered" : "no answer"),
    ]
  }

  @Test("kill -9 during call events, retries re-sent: one correct inquiry per call")
  func killDuringCallEvents() async throws {
    let pbx = try TelephonyHarness()
    defer { pbx.daemon.remove() }
    try await pbx.daemon.start()
    let total = Self.calls * 2
    let progress = CallProgress()
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<8 {
        group.addTask {
          while !progress.killed.load(ordering: .relaxed) {
            // Each worker takes whole calls so a call's events go out in order.
            let call = progress.next.add(1, ordering: .relaxed).oldValue
            if call >= Self.calls { return }
            for index in [call * 2, call * 2 + 1] {
              guard let reply = try? await pbx.zadarma(Self.event(index)), reply.status == 200
              else { continue }
              let count = progress.acknowledged.withLock { acked -> Int in
                acked.insert(index)
                return acked.count
              }
              if count == 250, !progress.killed.exchange(true, ordering: .relaxed) {
                pbx.daemon.kill9()
              }
            }
          }
        }
      }
    }
    let acked = progress.acknowledged.withLock { $0 }
    #expect(acked.count < total)
    try await pbx.daemon.start()
    // The provider retries everything unacknowledged, in its own order (ends before starts).
    for index in (0..<total).reversed() where !acked.contains(index) {
      let reply = try await pbx.zadarma(Self.event(index))
      #expect(reply.status == 200, "retry of \(index): \(reply.body)")
    }
    let inquiries = try pbx.inquiries("zadarma")
    #expect(inquiries.count == Self.calls)
    #expect(Set(inquiries.compactMap(\.source.callID)).count == Self.calls)
    for inquiry in inquiries {
      let call = Int(inquiry.source.callID?.split(separator: "_").last ?? "") ?? -1
      let expected: InquiryKind = call % 2 == 1 ? .call : .missedCall
      #expect(inquiry.kind == expected, "call \(call)")
    }
    let raws = try pbx.rawCount("zadarma")
    #expect(raws == total)
    pbx.daemon.stop()
  }
}
