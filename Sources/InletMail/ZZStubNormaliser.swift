// TEMPORARY STAND-IN written by the integrator so the daemon compiles before the real mail normaliser API (MailNormaliser, MailLetter, ...) lands.
// Whoever lands the real normaliser: DELETE THIS FILE in the same change.
import Foundation
public struct MailOptions: Sendable {
  public var ownAddresses: [String]
  public var maxAttachmentBytes: Int
  public var maxAttachments: Int
  public init(ownAddresses: [String] = [], maxAttachmentBytes: Int = 20 << 20, maxAttachments: Int = 50) {
    self.ownAddresses = ownAddresses; self.maxAttachmentBytes = maxAttachmentBytes; self.maxAttachments = maxAttachments
  }
}
public struct MailAddress: Sendable, Equatable { public var name: String?; public var email: String }
public struct MailAttachment: Sendable, Equatable {
  public var name: String; public var contentType: String; public var size: Int; public var data: [UInt8]; public var truncated: Bool; public var inline: Bool
}
public struct MailLetter: Sendable {
  public var messageID: String?
  public var inReplyTo: [String]
  public var references: [String]
  public var date: Date?
  public var from: MailAddress?
  public var replyTo: MailAddress?
  public var sender: MailAddress?
  public var to: [MailAddress]
  public var cc: [MailAddress]
  public var subject: String?
  public var text: String
  public var quoted: String?
  public var signature: String?
  public var phones: [String]
  public var inns: [String]
  public var companyName: String?
  public var formFields: [String: String]
  public var attachments: [MailAttachment]
  public var mailer: String?
}
public enum MailOutcome: Sendable {
  case letter(MailLetter)
  case ignored(reason: String, letter: MailLetter?)
  case unparseable(error: String)
}
public enum MailNormaliser {
  public static func normalise(_ raw: [UInt8], options: MailOptions) -> MailOutcome { .unparseable(error: "stub") }
}
