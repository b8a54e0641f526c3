import Foundation
import InletCore

/// How inquiries read on a terminal.
enum InquiryText {
  static func line(_ inquiry: Inquiry) -> String {
    let formatter = ISO8601DateFormatter()
    let who = [inquiry.sender.name, inquiry.sender.email, inquiry.sender.phone]
      .compactMap { $0 }.joined(separator: " ")
    var text = (inquiry.subject ?? inquiry.text ?? "").replacingOccurrences(of: "\n", with: " ")
    if text.count > 60 { text = String(text.prefix(57)) + "..." }
    var columns = [
      inquiry.id, formatter.string(from: inquiry.receivedAt), inquiry.status, inquiry.channel,
      inquiry.kind.rawValue, who.isEmpty ? "-" : who, text,
    ]
    if let reason = inquiry.reason { columns.append("(\(reason))") }
    return columns.joined(separator: "  ")
  }

  static func details(_ inquiry: Inquiry) -> String {
    var lines = [
      "inquiry \(inquiry.id) — \(inquiry.status), \(inquiry.kind.rawValue) via \(inquiry.channel)",
      "received: \(ISO8601DateFormatter().string(from: inquiry.receivedAt))",
    ]
    func add(_ label: String, _ value: String?) {
      if let value, !value.isEmpty { lines.append("\(label): \(value)") }
    }
    add("name", inquiry.sender.name)
    add("e-mail", inquiry.sender.email)
    add("phone", inquiry.sender.phone)
    add("company", inquiry.company?.name)
    add("INN", inquiry.company?.inn)
    add("subject", inquiry.subject)
    add("text", inquiry.text)
    add("reason", inquiry.reason)
    if let call = inquiry.call {
      let parts = [
        call.direction, call.durationS.map { "\($0) s" }, call.employee.map { "employee \($0)" },
        call.did.map { "line \($0)" },
      ].compactMap { $0 }
      add("call", parts.joined(separator: ", "))
      add("recording", call.recordingURL)
    }
    for callback in inquiry.callbacks ?? [] {
      let outcome =
        callback.answered
        ? "answered" + (callback.durationS.map { ", \($0) s" } ?? "") : "no answer"
      let by = callback.employee.map { " by \($0)" } ?? ""
      lines.append(
        "called back: \(ISO8601DateFormatter().string(from: callback.at))\(by), \(outcome)")
    }
    if inquiry.returning { lines.append("returning: yes") }
    lines.append("suggested: \(inquiry.match.suggestedAction.rawValue)")
    for attachment in inquiry.attachments {
      lines.append(
        "attachment: \(attachment.name) (\(attachment.contentType), \(attachment.size) bytes)")
    }
    for (key, value) in inquiry.extra.sorted(by: { $0.key < $1.key }) {
      lines.append("extra.\(key): \(value.text ?? "\(value)")")
    }
    add("raw item", inquiry.source.rawID)
    return lines.joined(separator: "\n")
  }
}
