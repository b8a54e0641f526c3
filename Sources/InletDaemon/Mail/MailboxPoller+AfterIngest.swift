import InletMail
import InletStore
import Metrics

/// `after_ingest` (`seen`, `move:`): applied after the commit that stored the letters, and
/// again by a later pass for what the journal still records as owed.
extension MailboxPoller {
  /// Applies `seen` / `move` to stored letters still waiting for it: a failure between a
  /// chunk's commit and the server command (a lost connection, a crash, a refusal) leaves them
  /// owed in the journal. Only those: a letter a person marked unread again, or one stored
  /// while the mailbox was `keep`, is left as it is.
  func reconcile(
    _ location: MailLocation, upTo lastUID: UInt32, into summary: inout PassSummary
  ) async throws {
    guard settings.afterIngest != .keep else { return }
    let owed = try await database.owedMailUIDs(location, upTo: lastUID)
    guard !owed.isEmpty else { return }
    // Those a person moved or deleted meanwhile are owed nothing any more.
    let present = try await blocking { try $0.present(owed) }
    let gone = Set(owed).subtracting(present)
    try await database.clearOwed(location, uids: gone.sorted())
    guard !present.isEmpty else { return }
    logger.notice(
      "applying after_ingest owed from an interrupted pass",
      metadata: ["letters": "\(present.count)"])
    try await afterIngestOwed(present, at: location, into: &summary)
  }

  /// `afterIngest`, where the server refusing it (`NO`/`BAD`: the target folder is missing,
  /// no rights, over quota) does not stop the pass: the letters are stored, the refusal is
  /// reported (the mailbox shows as failing) and they stay owed to the next pass. A lost
  /// connection still ends the pass.
  func afterIngestOwed(
    _ uids: [UInt32], at location: MailLocation, into summary: inout PassSummary
  ) async throws {
    do {
      try await afterIngest(uids)
      if settings.afterIngest != .keep { try await database.clearOwed(location, uids: uids) }
    } catch let error as IMAPError {
      switch error {
      case .no, .bad:
        Counter(
          label: "inlet_imap_after_ingest_failures_total",
          dimensions: [("mailbox", settings.name)]
        )
        .increment()
        logger.error(
          "the server refused after_ingest; the letters are stored and stay owed",
          metadata: ["letters": "\(uids.count)", "error": "\(error)"])
        if summary.afterIngestError == nil {
          summary.afterIngestError = "the server refused after_ingest: \(error)"
        }
      default:
        throw error
      }
    }
  }

  private func afterIngest(_ uids: [UInt32]) async throws {
    guard !uids.isEmpty else { return }
    switch settings.afterIngest {
    case .keep: return
    case .seen: try await blocking { try $0.markSeen(uids: uids) }
    case .move(let folder):
      let copied = copiedAwaitingRemoval.withLock { $0.uids }
      do {
        try await blocking { try $0.move(uids: uids, to: folder, alreadyCopied: copied) }
        copiedAwaitingRemoval.withLock { $0.uids.subtract(uids) }
      } catch let partial as IMAPPartialMove {
        copiedAwaitingRemoval.withLock { $0.uids.formUnion(partial.copied) }
        throw partial.error
      }
    }
  }
}
