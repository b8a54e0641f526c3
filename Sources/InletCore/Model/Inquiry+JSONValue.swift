import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The inquiry as a ``Value`` tree: the same members, names and dates as its `Codable` form
/// (``InquiryJSON/encoder(pretty:)``), built without `JSONEncoder`, which costs more than the
/// rest of an ingest together. The store writes every inquiry document and event payload
/// through it; a test keeps it equal to the `Codable` form.
extension Inquiry {
  public var jsonValue: Value {
    var members: [String: Value] = [
      "id": .string(id), "status": .string(status), "channel": .string(channel),
      "kind": .string(kind.rawValue), "received_at": .string(Self.timestamp(receivedAt)),
      "sender": sender.jsonValue, "attachments": .array(attachments.map(\.jsonValue)),
      "extra": .object(extra), "messages": .array(messages.map(\.jsonValue)),
      "returning": .bool(returning), "match": match.jsonValue, "source": source.jsonValue,
    ]
    members["subject"] = subject.map(Value.string)
    members["text"] = text.map(Value.string)
    members["company"] = company?.jsonValue
    members["call"] = call?.jsonValue
    members["callbacks"] = callbacks.map { .array($0.map(\.jsonValue)) }
    members["thread"] = thread.map { .object(["inquiry_id": .string($0.inquiryID)]) }
    members["acceptance"] = acceptance?.jsonValue
    members["reason"] = reason.map(Value.string)
    return .object(members)
  }

  /// Compact JSON with sorted keys (what the store keeps and the API serves): the bytes of
  /// `ValueJSON.serialize(jsonValue)`, written directly — the members most inquiries have
  /// without building their dictionaries and sorting their keys (the ingest transaction does
  /// this for every lead); a test keeps the two equal.
  public var jsonBytes: [UInt8] { jsonBytes(reusing: nil) }

  /// ``jsonBytes`` with `extra` and `text` copied from `parts` when the inquiry still holds
  /// the values they were encoded from (the same bytes either way).
  public func jsonBytes(reusing parts: InquiryJSONParts?) -> [UInt8] {
    let bulk =
      parts.map { $0.extraJSON.count + $0.textJSON.count } ?? (text?.utf8.count ?? 0)
    var object = JSONObjectWriter(capacity: 640 + bulk)
    // Keys in sorted order.
    object.value("acceptance", acceptance?.jsonValue)
    object.value("attachments", .array(attachments.map(\.jsonValue)))
    object.value("call", call?.jsonValue)
    object.value("callbacks", callbacks.map { .array($0.map(\.jsonValue)) })
    object.string("channel", channel)
    object.value("company", company?.jsonValue)
    if let parts, parts.extra == extra {
      object.encoded("extra", parts.extraJSON)
    } else {
      object.value("extra", .object(extra))
    }
    object.string("id", id)
    object.string("kind", kind.rawValue)
    object.nested("match") { match in
      match.string("accepted_inquiry_id", self.match.acceptedInquiryID)
      match.strings("by", self.match.by)
      match.value("candidates", .array(self.match.candidates.map(\.jsonValue)))
      match.string("client_id", self.match.clientID)
      match.strings("conflicts", self.match.conflicts)
      match.string("contact_id", self.match.contactID)
      match.strings("interest_ids", self.match.interestIDs)
      match.bool("potential_client", self.match.potentialClient)
      match.string("suggested_action", self.match.suggestedAction.rawValue)
    }
    object.value("messages", .array(messages.map(\.jsonValue)))
    object.string("reason", reason)
    object.string("received_at", Self.timestamp(receivedAt))
    object.bool("returning", returning)
    object.nested("sender") { sender in
      sender.string("email", self.sender.email)
      sender.value(
        "messenger",
        self.sender.messenger.map { messenger in
          var inner: [String: Value] = ["network": .string(messenger.network)]
          inner["id"] = messenger.id.map(Value.string)
          inner["username"] = messenger.username.map(Value.string)
          return .object(inner)
        })
      sender.string("name", self.sender.name)
      sender.string("phone", self.sender.phone)
    }
    object.nested("source") { source in
      source.string("call_id", self.source.callID)
      source.string("message_id", self.source.messageID)
      source.string("raw_id", self.source.rawID)
    }
    object.string("status", status)
    object.string("subject", subject)
    if let parts, parts.text == text {
      if text != nil { object.encoded("text", parts.textJSON) }
    } else {
      object.string("text", text)
    }
    object.value("thread", thread.map { .object(["inquiry_id": .string($0.inquiryID)]) })
    return object.finish()
  }

  /// RFC 3339 in UTC with whole seconds, as `JSONEncoder`'s `.iso8601` writes it.
  public static func timestamp(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    let year = Int(parts.tm_year) + 1900
    let yearText =
      year < 1000 ? String(repeating: "0", count: 4 - "\(year)".count) + "\(year)" : "\(year)"
    return
      "\(yearText)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
      + "\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }
}

extension Inquiry.Sender {
  var jsonValue: Value {
    var members: [String: Value] = [:]
    members["name"] = name.map(Value.string)
    members["email"] = email.map(Value.string)
    members["phone"] = phone.map(Value.string)
    if let messenger {
      var inner: [String: Value] = ["network": .string(messenger.network)]
      inner["id"] = messenger.id.map(Value.string)
      inner["username"] = messenger.username.map(Value.string)
      members["messenger"] = .object(inner)
    }
    return .object(members)
  }
}

extension Inquiry.Company {
  var jsonValue: Value {
    var members: [String: Value] = [:]
    members["name"] = name.map(Value.string)
    members["inn"] = inn.map(Value.string)
    return .object(members)
  }
}

extension Inquiry.Attachment {
  var jsonValue: Value {
    .object([
      "id": .string(id), "name": .string(name), "content_type": .string(contentType),
      "size": .number(String(size)),
    ])
  }
}

extension Inquiry.Call {
  var jsonValue: Value {
    var members: [String: Value] = [:]
    members["direction"] = direction.map(Value.string)
    members["duration_s"] = durationS.map { .number(String($0)) }
    members["recording_url"] = recordingURL.map(Value.string)
    members["employee"] = employee.map(Value.string)
    members["did"] = did.map(Value.string)
    members["started_at"] = startedAt.map { .string(Inquiry.timestamp($0)) }
    return .object(members)
  }
}

extension Inquiry.Callback {
  var jsonValue: Value {
    var members: [String: Value] = [
      "channel": .string(channel), "call_id": .string(callID),
      "at": .string(Inquiry.timestamp(at)), "answered": .bool(answered),
    ]
    members["employee"] = employee.map(Value.string)
    members["duration_s"] = durationS.map { .number(String($0)) }
    return .object(members)
  }
}

extension Inquiry.Message {
  var jsonValue: Value {
    var members: [String: Value] = [
      "received_at": .string(Inquiry.timestamp(receivedAt)), "raw_id": .string(rawID),
    ]
    members["text"] = text.map(Value.string)
    return .object(members)
  }
}

extension Inquiry.Match {
  var jsonValue: Value {
    var members: [String: Value] = [
      "interest_ids": .array(interestIDs.map(Value.string)), "by": .array(by.map(Value.string)),
      "conflicts": .array(conflicts.map(Value.string)),
      "suggested_action": .string(suggestedAction.rawValue),
      "potential_client": .bool(potentialClient),
      "candidates": .array(candidates.map(\.jsonValue)),
    ]
    members["client_id"] = clientID.map(Value.string)
    members["contact_id"] = contactID.map(Value.string)
    members["accepted_inquiry_id"] = acceptedInquiryID.map(Value.string)
    return .object(members)
  }
}

extension Inquiry.Match.Candidate {
  var jsonValue: Value {
    var members: [String: Value] = ["client_id": .string(clientID)]
    members["contact_id"] = contactID.map(Value.string)
    return .object(members)
  }
}

extension Inquiry.Source {
  var jsonValue: Value {
    var members: [String: Value] = [:]
    members["raw_id"] = rawID.map(Value.string)
    members["message_id"] = messageID.map(Value.string)
    members["call_id"] = callID.map(Value.string)
    return .object(members)
  }
}

extension Inquiry.Acceptance {
  var jsonValue: Value {
    var members: [String: Value] = [
      "action": .string(action), "by": .string(by), "at": .string(Inquiry.timestamp(at)),
    ]
    members["client_id"] = clientID.map(Value.string)
    members["contact_id"] = contactID.map(Value.string)
    members["interest_id"] = interestID.map(Value.string)
    members["reason"] = reason.map(Value.string)
    members["into"] = into.map(Value.string)
    members["comment"] = comment.map(Value.string)
    return .object(members)
  }
}

/// The bulky members of an inquiry's JSON — `extra` and `text` — encoded ahead of time, off
/// the database writer's thread (a letter's are encoded where it is normalised); the writer then
/// only copies them, and only while the inquiry still holds those very values.
public struct InquiryJSONParts: Sendable {
  let extra: [String: Value]
  let extraJSON: [UInt8]
  let text: String?
  let textJSON: [UInt8]

  public init(_ inquiry: Inquiry) {
    extra = inquiry.extra
    var extraJSON: [UInt8] = []
    ValueJSON.write(.object(extra), into: &extraJSON)
    self.extraJSON = extraJSON
    text = inquiry.text
    var textJSON: [UInt8] = []
    if let text { ValueJSON.writeString(text, into: &textJSON) }
    self.textJSON = textJSON
  }
}

/// Writes one JSON object member by member, in the order given (the caller's keys sorted);
/// absent optionals are left out, as the ``Value`` form leaves them out.
struct JSONObjectWriter {
  private static let trueBytes = Array("true".utf8)
  private static let falseBytes = Array("false".utf8)
  private var bytes: [UInt8]
  private var empty = true

  init(capacity: Int) {
    bytes = []
    bytes.reserveCapacity(capacity)
    bytes.append(UInt8(ascii: "{"))
  }

  private init(continuing bytes: [UInt8]) {
    self.bytes = bytes
    self.bytes.append(UInt8(ascii: "{"))
  }

  private mutating func key(_ name: String) {
    if !empty { bytes.append(UInt8(ascii: ",")) }
    empty = false
    ValueJSON.writeString(name, into: &bytes)
    bytes.append(UInt8(ascii: ":"))
  }

  mutating func string(_ name: String, _ value: String?) {
    guard let value else { return }
    key(name)
    ValueJSON.writeString(value, into: &bytes)
  }

  mutating func strings(_ name: String, _ values: [String]) {
    key(name)
    bytes.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      ValueJSON.writeString(value, into: &bytes)
    }
    bytes.append(UInt8(ascii: "]"))
  }

  mutating func integer(_ name: String, _ value: (some BinaryInteger)?) {
    guard let value else { return }
    key(name)
    bytes.append(contentsOf: String(value).utf8)
  }

  mutating func bool(_ name: String, _ value: Bool) {
    key(name)
    bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
  }

  /// A member whose value is already encoded JSON.
  mutating func encoded(_ name: String, _ json: [UInt8]) {
    key(name)
    bytes.append(contentsOf: json)
  }

  mutating func value(_ name: String, _ value: Value?) {
    guard let value else { return }
    key(name)
    ValueJSON.write(value, into: &bytes)
  }

  /// A member that is an object, written by `body` into the same buffer.
  mutating func nested(_ name: String, _ body: (inout JSONObjectWriter) -> Void) {
    key(name)
    var inner = JSONObjectWriter(continuing: bytes)
    bytes = []
    body(&inner)
    bytes = inner.finish()
  }

  consuming func finish() -> [UInt8] {
    bytes.append(UInt8(ascii: "}"))
    return bytes
  }
}
