import Foundation
import InletCore
import InletMail
import InletStore

/// The attachments in a kept raw item's bytes: an item kept as noise or unreadable had none
/// stored, and a manager who promotes it wants the letter's card of requisites or the form's
/// file with it.
enum KeptFiles {
  static func read(
    _ raw: RawItemRecord, mail: MailOptions, channel: (String) -> ChannelInstance?
  ) -> [UploadedFile] {
    let bytes = Array(raw.body)
    if raw.event == "letter" {
      let letter: MailLetter?
      switch MailNormaliser.normalise(bytes, options: mail) {
      case .letter(let read): letter = read
      case .ignored(_, let read): letter = read
      case .unparseable: letter = nil
      }
      return (letter?.attachments ?? []).map {
        UploadedFile(
          field: "attachment", filename: $0.name, contentType: $0.contentType, data: $0.data)
      }
    }
    // A webhook: its body decoded again as the channel's definition reads it.
    guard let instance = channel(raw.channel) else { return [] }
    let request = HookRequest(replaying: raw.transport, body: bytes)
    return (try? BodyDecoder.decode(request, as: instance.definition.body))?.files ?? []
  }
}
