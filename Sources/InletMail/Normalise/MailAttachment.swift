/// A file attached to (or shown inline in) a letter.
public struct MailAttachment: Sendable, Equatable {
  /// Sanitised file name: no path separators, control characters or leading dots; never
  /// empty; at most 200 bytes of UTF-8.
  public var name: String
  /// Lower-cased `type/subtype`.
  public var contentType: String
  /// Decoded size in bytes (also when the data was dropped).
  public var size: Int
  /// The decoded content; empty when ``truncated``.
  public var data: [UInt8]
  /// Whether the file was over ``MailOptions/maxAttachmentBytes`` and its data dropped.
  public var truncated: Bool
  /// Whether the file is shown inside the letter (an inline image) rather than attached.
  public var inline: Bool

  /// Creates an attachment.
  public init(
    name: String, contentType: String, size: Int, data: [UInt8], truncated: Bool, inline: Bool
  ) {
    self.name = name
    self.contentType = contentType
    self.size = size
    self.data = data
    self.truncated = truncated
    self.inline = inline
  }
}
