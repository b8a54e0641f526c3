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
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
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
      let shortest =
        calls.values.compactMap(\.timeout).min() ?? ChannelOptions.defaultCallTimeout
      do {
        let closed = try await database.closeUnendedCalls(
          shortest: shortest, directions: { calls[$0]?.directions ?? ["in"] },
          // A channel no longer configured keeps the default: its open calls still end.
          timeout: { calls[$0].map(\.timeout) ?? ChannelOptions.defaultCallTimeout })
        for call in closed {
          logger.notice(
            "a call had no event for its channel's call_timeout and was closed as it stood",
            metadata: ["channel": "\(call.channel)", "call.id": "\(call.callID)"])
        }
      } catch {
        // The next sweep tries again; a shutdown's cancelled write is no failure.
        if !Task.isCancelled && !Task.isShuttingDownGracefully {
          logger.warning("open calls could not be swept", metadata: ["error": "\(error)"])
        }
      }
      let interval = min(maxInterval, max(1, shortest / 4))
      // Woken by a graceful shutdown: SIGTERM must not wait out the interval.
      _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
    }
  }
}
