import Foundation
import InletCore
import InletStore

/// `inlet replay [--all]`: re-normalises stored raw items with this version's definitions and
/// mail normaliser — quarantined ones (after an upgrade or a definition fix), or every item.
/// Idempotent: a second run changes nothing.
public enum Replay {
  public static func run(loaded: LoadedConfig, all: Bool) async throws -> [ReplayResult: Int] {
    let database = try WritingCommand(
      path: loaded.databasePath, settings: loaded.config.directorySettings
    ).database
    let processor = HookProcessor(
      phone: PhoneNormalizer(defaultCountry: loaded.config.phone.defaultCountry))
    let channels = Dictionary(
      loaded.channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var counts: [ReplayResult: Int] = [:]
    var after: Int64 = 0
    while true {
      let batch = try database.replayCandidates(all: all, after: after)
      guard let last = batch.last?.id else { break }
      after = last
      for raw in batch {
        guard
          let (outcome, key) = outcome(
            raw, loaded: loaded, channels: channels, processor: processor)
        else {
          counts[.skipped, default: 0] += 1
          continue
        }
        do {
          let result = try await database.applyReplay(
            rawID: raw.id!, outcome: outcome, idempotencyKey: key)
          counts[result, default: 0] += 1
        } catch  where !StorageFailure.isTransient(error) {
          // One item that cannot be stored (its inquiry's document no longer reads) does not
          // stop the others; a busy or full database does (the run is simply made again).
          counts[.failed, default: 0] += 1
          FileHandle.standardError.write(Data("raw item \(raw.id!): \(error)\n".utf8))
        }
      }
    }
    return counts
  }

  /// What the item becomes now, and its idempotency key as this version computes it (a webhook
  /// refused over a rate limit was kept without one, so that the client's retry was taken).
  static func outcome(
    _ raw: RawItemRecord, loaded: LoadedConfig, channels: [String: ChannelInstance],
    processor: HookProcessor
  ) -> (ReplayOutcome, key: String?)? {
    let body = Array(raw.body)
    if raw.event == "letter" {
      // A letter the server would not give has nothing to replay: its placeholder stays as
      // the mailbox left it (quarantined, or set aside once the letter came).
      if MailItem.isUnfetchable(key: raw.idempotencyKey) { return nil }
      let metadata = (try? ValueJSON.parse(Array(raw.transport.utf8)))?.object ?? [:]
      let builder = MailItemBuilder(
        mailbox: raw.channel, folder: metadata["folder"]?.text ?? "INBOX",
        options: loaded.config.mail.normaliserOptions)
      let item = builder.item(
        uid: metadata["uid"]?.text.flatMap { UInt32($0) } ?? 0, bytes: body,
        size: metadata["size"]?.text.flatMap { Int($0) } ?? body.count,
        internalDate: metadata["internal_date"]?.text.flatMap { try? Date($0, strategy: .iso8601) },
        headersOnly: metadata["oversized"] == .bool(true), receivedAt: raw.receivedAt)
      switch item.outcome {
      case .inquiry(let inquiry, let files, let references):
        return (.inquiry(inquiry, files: files, references: references), raw.idempotencyKey)
      case .ignored(let reason, let partial):
        return (.ignored(reason: reason, partial: partial), raw.idempotencyKey)
      case .quarantined(let reason, let partial):
        return (.quarantined(reason: reason, partial: partial), raw.idempotencyKey)
      }
    }
    // A webhook item: the channel must still be configured to know its definition.
    guard let instance = channels[raw.channel] else { return nil }
    switch webhookOutcome(raw, instance: instance, processor: processor) {
    case .storeAll:
      // A batch reads into one stored part per message the definition keeps: a place with no
      // part is a message it now drops (as a single request's `.reply` below). Without a
      // place (stored before places were kept) it cannot be told: left as it is.
      guard batchPlace(raw) != nil else { return nil }
      return (.ignored(reason: droppedReason, partial: nil), nil)
    case .store(let submission):
      let key = submission.idempotencyKey
      switch submission.disposition {
      case .inquiry(let inquiry):
        return (
          .inquiry(
            inquiry, files: submission.files, references: [],
            conversation: submission.conversation),
          key
        )
      case .call(let event, let draft):
        return (.call(event, draft, options: instance.options), key)
      // What was read from a form caught as spam stays with it (to promote it).
      case .ignored(let reason): return (.ignored(reason: reason, partial: submission.partial), key)
      case .quarantined(let failure, let partial):
        return (.quarantined(reason: "\(failure.code): \(failure.message)", partial: partial), key)
      }
    case .reply:
      return (.ignored(reason: droppedReason, partial: nil), nil)
    case .unauthenticated, .refused:
      return nil
    }
  }

  /// What a webhook item's request makes now, read as the channel's definition reads it. A
  /// batch (WhatsApp) was stored one raw item per message: this item's message — the one with
  /// its key or, for an item kept without one (refused over a rate limit), at its place in
  /// the batch. (An item stored before the place was kept, without a key: the first message,
  /// the best there is.) A batch whose item is not found stays `.storeAll`.
  static func webhookOutcome(
    _ raw: RawItemRecord, instance: ChannelInstance, processor: HookProcessor
  ) -> HookOutcome {
    let request = HookRequest(replaying: raw.transport, body: Array(raw.body))
    let outcome = processor.process(request, for: instance, now: raw.receivedAt, replaying: true)
    guard case .storeAll(let parts) = outcome else { return outcome }
    let place = batchPlace(raw)
    let part =
      parts.first { raw.idempotencyKey != nil && $0.idempotencyKey == raw.idempotencyKey }
      ?? parts.first { place != nil && $0.transport.batchItem == place }
      ?? (place == nil ? parts.first : nil)
    return part.map { .store($0) } ?? outcome
  }

  static let droppedReason = "dropped: the definition now answers this request without a lead"

  /// A batch item's place in its batch, as kept in its transport metadata.
  static func batchPlace(_ raw: RawItemRecord) -> Int? {
    (try? ValueJSON.parse(Array(raw.transport.utf8)))?.object?["batch_item"]?.text.flatMap {
      Int($0)
    }
  }
}
