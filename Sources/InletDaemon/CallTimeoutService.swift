import Foundation
import InletCore
import InletHTTP
import InletStore
import Logging
import ServiceLifecycle

/// Closes the calls whose end never came. A provider may lose a hangup for good (Mango's leg
/// `Disconnected` after its retries, with the summary switched off; a Zadarma `NOTIFY_END`
/// the PBX gave up on): without it a missed call would stay `kind: call`, "ringing", and
/// nobody would call back. A call with no event for its channel's `call_timeout` (default one
/// hour, `0` for never) is closed as it stands — a conversation when an event said someone
/// answered, a missed call otherwise — and marked `call_timed_out`; a late event from the
/// provider still decides. Channels come from the live table, so a reload's timeouts apply at
/// the next sweep.
struct CallTimeoutService: Service {
  let database: InletDatabase
  let channels: ChannelTable
  let logger: Logger
  /// The longest time between sweeps; a short `call_timeout` sweeps more often.
  var maxInterval: TimeInterval = 60

  func run() async throws {
    var shortest = ChannelOptions.defaultCallTimeout
    await sweepUntilShutdown(
      logger: logger, failure: "open calls could not be swept",
      interval: { min(maxInterval, max(1, shortest / 4)) },
      sweep: {
        // Each channel's settings as the live table has them now.
        let calls = Dictionary(
          channels.all.map { instance in
            (
              instance.name,
              (
                timeout: ChannelOptions.callTimeout(instance.options),
                directions: InletDatabase.callDirections(instance.options)
              )
            )
          }, uniquingKeysWith: { a, _ in a })
        shortest = calls.values.compactMap(\.timeout).min() ?? ChannelOptions.defaultCallTimeout
        let closed = try await database.closeUnendedCalls(
          shortest: shortest, directions: { calls[$0]?.directions ?? ["in"] },
          // A channel no longer configured keeps the default: its open calls still end.
          timeout: { calls[$0].map(\.timeout) ?? ChannelOptions.defaultCallTimeout })
        for call in closed {
          logger.notice(
            "a call had no event for its channel's call_timeout and was closed as it stood",
            metadata: ["channel": "\(call.channel)", "call.id": "\(call.callID)"])
          if call.created {
            CounterCache.shared.increment(
              "inlet_inquiries_created_total",
              [("channel", call.channel), ("kind", InquiryKind.call.rawValue)])
          }
        }
      })
  }
}
