import Foundation
import GRDB

/// Stored bytes with their media type: a raw input or an attachment.
public struct StoredContent: Sendable {
  public var data: Data
  public var contentType: String
  /// The file name to offer when saving (attachments).
  public var filename: String?
  /// The channel a raw item came in on.
  public var channel: String?
}

extension InletDatabase {
  /// The raw item's body as received, with the content type its transport recorded (a
  /// letter's journal entry records `message/rfc822`). `id` is the item's id (`source.raw_id`)
  /// or the `r<id>` a listing shows for an ignored or quarantined item.
  public func rawContent(id: String) async throws -> StoredContent? {
    let digits = id.hasPrefix("r") ? id.dropFirst() : Substring(id)
    return try await read { db in
      guard let key = Int64(digits), let raw = try RawItemRecord.fetchOne(db, key: key) else {
        return nil
      }
      let transport = try? JSONSerialization.jsonObject(with: Data(raw.transport.utf8))
      let declared = (transport as? [String: Any])?["content_type"] as? String
      return StoredContent(
        data: raw.body, contentType: declared ?? "application/octet-stream", filename: nil,
        channel: raw.channel)
    }
  }

  /// An attachment's bytes.
  public func attachmentContent(id: String) async throws -> StoredContent? {
    try await read { db in
      guard let key = Int64(id), let record = try AttachmentRecord.fetchOne(db, key: key) else {
        return nil
      }
      return StoredContent(
        data: record.data, contentType: record.contentType, filename: record.name)
    }
  }
}
