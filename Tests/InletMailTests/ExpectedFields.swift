import Foundation
import InletMail

/// Compares a normalisation outcome with a fixture's expected fields and lists every
/// difference; an unknown key is a difference too, so a misspelt expectation cannot pass
/// silently.
enum ExpectedFields {
  static func mismatches(_ expected: [String: Any], _ outcome: MailOutcome) -> [String] {
    var problems: [String] = []
    let letter: MailLetter?
    let actualOutcome: String
    switch outcome {
    case .letter(let value):
      letter = value
      actualOutcome = "letter"
    case .ignored(let reason, let value):
      letter = value
      actualOutcome = "ignored:" + reason
    case .unparseable:
      letter = nil
      actualOutcome = "unparseable"
    }
    guard let wantedOutcome = expected["outcome"] as? String else {
      return ["expected file has no outcome"]
    }
    if wantedOutcome != actualOutcome {
      problems.append("outcome: expected \(wantedOutcome), got \(actualOutcome)")
    }
    guard expected["imitates"] is String else { return problems + ["no imitates key"] }
    for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
      if ["outcome", "imitates", "options"].contains(key) { continue }
      guard let letter else {
        problems.append("\(key): no letter to compare")
        continue
      }
      if let problem = compare(key, value, letter) { problems.append(problem) }
    }
    return problems
  }

  private static func compare(_ key: String, _ value: Any, _ letter: MailLetter) -> String? {
    func same(_ actual: Any?) -> String? {
      equal(value, actual) ? nil : "\(key): expected \(show(value)), got \(show(actual))"
    }
    func contains(_ haystack: String?) -> String? {
      guard let needles = value as? [String] else { return "\(key): not a list" }
      let missing = needles.filter { !(haystack ?? "").contains($0) }
      return missing.isEmpty ? nil : "\(key): \(missing) not in \(show(haystack))"
    }
    switch key {
    case "sender_name": return same(letter.senderName)
    case "sender_email": return same(letter.sender?.email)
    case "from_email": return same(letter.from?.email)
    case "reply_to_email": return same(letter.replyTo?.email)
    case "subject": return same(letter.subject)
    case "text": return same(letter.text)
    case "text_contains": return contains(letter.text)
    case "text_not_contains":
      guard let needles = value as? [String] else { return "\(key): not a list" }
      let present = needles.filter { letter.text.contains($0) }
      return present.isEmpty ? nil : "\(key): \(present) found in text"
    case "quoted": return same(letter.quoted != nil)
    case "quoted_contains": return contains(letter.quoted)
    case "signature": return same(letter.signature != nil)
    case "signature_contains": return contains(letter.signature)
    case "phones": return same(letter.phones)
    case "inns": return same(letter.inns)
    case "company": return same(letter.companyName)
    case "form_mailer": return same(letter.formMailer)
    case "form_fields":
      guard let fields = value as? [String: String] else { return "\(key): not an object" }
      let wrong = fields.filter { letter.formFields[$0.key] != $0.value }
      return wrong.isEmpty ? nil : "\(key): \(wrong) differ from \(letter.formFields)"
    case "message_id": return same(letter.messageID)
    case "in_reply_to": return same(letter.inReplyTo)
    case "references": return same(letter.references)
    case "date":
      let formatter = ISO8601DateFormatter()
      return same(letter.date.map { formatter.string(from: $0) })
    case "header_only": return same(letter.headerOnly)
    case "mailer": return same(letter.mailer)
    case "to": return same(letter.to.map(\.email))
    case "cc": return same(letter.cc.map(\.email))
    case "attachments_omitted": return same(letter.attachmentsOmitted)
    case "attachments": return compareAttachments(value, letter.attachments)
    default: return "unknown expected key \(key)"
    }
  }

  private static func compareAttachments(_ value: Any, _ actual: [MailAttachment]) -> String? {
    guard let wanted = value as? [[String: Any]] else { return "attachments: not a list" }
    guard wanted.count == actual.count else {
      return "attachments: expected \(wanted.count), got \(actual.map(\.name))"
    }
    for (item, file) in zip(wanted, actual) {
      var fields: [String: Any] = [
        "name": file.name, "type": file.contentType, "size": file.size,
        "truncated": file.truncated, "inline": file.inline,
      ]
      if file.truncated != file.data.isEmpty && file.size > 0 {
        return "attachments: \(file.name) data does not match truncated=\(file.truncated)"
      }
      if !file.truncated && file.data.count != file.size {
        return "attachments: \(file.name) data is \(file.data.count) bytes, size \(file.size)"
      }
      for (key, expected) in item {
        guard let actualValue = fields.removeValue(forKey: key) else {
          return "attachments: unknown key \(key)"
        }
        if !equal(expected, actualValue) {
          return "attachments: \(key) expected \(show(expected)), got \(show(actualValue))"
        }
      }
    }
    return nil
  }

  /// Compares by the type of the actual value (JSON numbers and booleans arrive as
  /// `NSNumber` on Linux).
  static func equal(_ expected: Any, _ actual: Any?) -> Bool {
    switch actual {
    case nil: return expected is NSNull
    case let value as Bool: return (expected as? Bool) == value && !(expected is String)
    case let value as Int: return (expected as? Int) == value && !(expected is String)
    case let value as String: return (expected as? String) == value
    case let value as [String]: return (expected as? [String]) == value
    default: return false
    }
  }

  private static func show(_ value: Any?) -> String {
    guard let value else { return "nil" }
    if let text = value as? String { return "\"\(text)\"" }
    return "\(value)"
  }
}
