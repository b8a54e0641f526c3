import Foundation
import InletCore
import InletMail
import InletStore

/// A kept raw item read again for its promotion: the attachments in its bytes (an item kept as
/// noise or unreadable had none stored, and a manager who promotes it wants the letter's card of
/// requisites or the form's file with it), and its idempotency key as the channel computes it
/// (a webhook refused over a rate limit was kept without one, so that its retry was taken).
enum KeptFiles {
  static func read(
    _ raw: RawItemRecord, mail: MailOptions, channel: (String) -> ChannelInstance?,
    processor: HookProcessor
  ) -> KeptReading {
    let bytes = Array(raw.body)
    if raw.event == "letter" {
      let letter: MailLetter?
      switch MailNormaliser.normalise(bytes, options: mail) {
      case .letter(let read): letter = read
      case .ignored(_, let read): letter = read
      case .unparseable: letter = nil
      }
      let files = (letter?.attachments ?? []).map {
        UploadedFile(
          field: "attachment", filename: $0.name, contentType: $0.contentType, data: $0.data)
      }
      return KeptReading(files: files, idempotencyKey: raw.idempotencyKey)
    }
    // A webhook: its body decoded again as the channel's definition reads it.
    guard let instance = channel(raw.channel) else {
      return KeptReading(idempotencyKey: raw.idempotencyKey)
    }
    let request = HookRequest(replaying: raw.transport, body: bytes)
    let files = (try? BodyDecoder.decode(request, as: instance.definition.body))?.files ?? []
    var key = raw.idempotencyKey
    if key == nil,
      case .store(let submission) = Replay.webhookOutcome(
        raw, instance: instance, processor: processor)
    {
      key = submission.idempotencyKey
    }
    return KeptReading(files: files, idempotencyKey: key)
  }
}
