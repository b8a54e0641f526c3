import Foundation

/// What the pure webhook pipeline decided about one request, before anything is stored.
public enum HookOutcome: Sendable {
  /// Answer at once, store nothing (a handshake, a dropped status callback).
  case reply(Reply, ReplyContext)
  /// The request failed authentication: 401, nothing stored, counted.
  case unauthenticated(reason: String)
  /// Refused before authentication could be decided (a body a body-signed scheme cannot read):
  /// nothing stored.
  case refused(HookFailure)
  /// Authenticated: store the raw item (and its inquiry), then answer.
  case store(RawSubmission)
  /// Authenticated, a batch: store each item as its own raw item (in order), then answer as
  /// for the first.
  case storeAll([RawSubmission])
}

/// An error answer: the status, the JSON error code and a message the sender can act on.
public struct HookFailure: Sendable, Equatable, Error {
  public var status: Int
  public var code: String
  public var message: String

  public init(status: Int, code: String, message: String) {
    self.status = status
    self.code = code
    self.message = message
  }
}

/// An authenticated input on its way into the raw journal.
public struct RawSubmission: Sendable {
  public var channel: String
  /// The event of the definition that handled it (`submission`, `NOTIFY_END`, …).
  public var event: String
  /// Scoped by channel (`site:abc`); `nil` when the request carries none.
  public var idempotencyKey: String?
  public var receivedAt: Date
  public var transport: TransportMetadata
  public var body: [UInt8]
  public var disposition: Disposition
  public var replies: Replies
  /// Files of a multipart body, stored with the raw item and attached to the inquiry.
  public var files: [UploadedFile]
  /// For reply templates.
  public var context: ReplyContext
  /// What could be read from an `ignored` input (spam), shown in listings of ignored items.
  public var partial: Inquiry?
  /// The messenger conversation an inquiry's message belongs to (continuations).
  public var conversation: ConversationReference?

  public init(
    channel: String, event: String, idempotencyKey: String?, receivedAt: Date,
    transport: TransportMetadata, body: [UInt8], disposition: Disposition,
    replies: Replies = Replies(), files: [UploadedFile] = [], context: ReplyContext
  ) {
    self.channel = channel
    self.event = event
    self.idempotencyKey = idempotencyKey
    self.receivedAt = receivedAt
    self.transport = transport
    self.body = body
    self.disposition = disposition
    self.replies = replies
    self.files = files
    self.context = context
  }

  /// What becomes of the raw item.
  public enum Disposition: Sendable {
    /// A new inquiry (or the existing one, when the idempotency key was seen).
    case inquiry(Inquiry)
    /// Applied to the call's record; the call's inquiry is created or updated from this draft.
    case call(CallEvent, Inquiry)
    /// Kept as `ignored` with the reason.
    case ignored(String)
    /// Kept as `quarantined`; the answer is this failure.
    case quarantined(HookFailure, partial: Inquiry?)

    /// Whether the input is kept as `quarantined`.
    public var isQuarantined: Bool {
      if case .quarantined = self { return true }
      return false
    }
  }
}

/// The request's transport facts kept with the raw item; secrets are redacted.
public struct TransportMetadata: Sendable, Codable, Equatable {
  public var method: String
  public var path: String
  public var query: [String: String]
  public var headers: [String: String]
  public var remoteAddress: String?
  public var contentType: String?
  /// Which item of a batch request (WhatsApp's several messages) this raw item is, from 0; nil
  /// for a request that is one item. `inlet replay` finds the item by it when the raw item
  /// kept no idempotency key (a batch refused over a rate limit).
  public var batchItem: Int?
  /// The channel's kind of lead when it is not `form` (``ChannelDefinition/listingKind``): a
  /// raw item nothing could be read from (a body that does not decode, an ignored event) is
  /// listed as a call or a message of its channel, not as a form.
  public var kind: String?

  enum CodingKeys: String, CodingKey {
    case method, path, query, headers, kind
    case remoteAddress = "remote_address"
    case contentType = "content_type"
    case batchItem = "batch_item"
  }

  /// The JSON the raw journal keeps (the same as the `Codable` form, written without
  /// `JSONEncoder`: this runs for every request).
  public var jsonText: String {
    // Members in sorted key order, as `ValueJSON` writes an object.
    var writer = JSONObjectWriter(capacity: 256)
    if let batchItem { writer.integer("batch_item", batchItem) }
    writer.string("content_type", contentType)
    writer.nested("headers") { object in
      for name in headers.keys.sorted() { object.string(name, headers[name]) }
    }
    if let kind { writer.string("kind", kind) }
    writer.string("method", method)
    writer.string("path", path)
    writer.nested("query") { object in
      for name in query.keys.sorted() { object.string(name, query[name]) }
    }
    writer.string("remote_address", remoteAddress)
    return String(decoding: writer.finish(), as: UTF8.self)
  }

  /// Header and query names whose values are never stored or logged.
  static let secretNames: Set<String> = [
    "authorization", "cookie", "token", "proxy-authorization", "x-telegram-bot-api-secret-token",
  ]

  /// The request's facts; a query value or a path segment that is one of `secrets` (the
  /// Zammad-style `/hooks/cti/<token>`, a token under another name) is redacted too.
  public init(_ request: HookRequest, secrets: ChannelSecrets? = nil) {
    method = request.method
    path = request.subpath
    if let secrets, path.contains(where: { $0 != "/" }) {
      let segments = path.split(separator: "/", omittingEmptySubsequences: false)
      if segments.contains(where: { secrets.isValue(String($0)) }) {
        path = segments.map { secrets.isValue(String($0)) ? "[redacted]" : $0 }
          .joined(separator: "/")
      }
    }
    var query: [String: String] = [:]
    for item in request.query {
      let secret =
        Self.secretNames.contains(item.name.lowercased()) || secrets?.isValue(item.value) == true
      query[item.name] = secret ? "[redacted]" : item.value
    }
    self.query = query
    var headers: [String: String] = [:]
    for header in request.headers {
      headers[header.name] = Self.secretNames.contains(header.name) ? "[redacted]" : header.value
    }
    self.headers = headers
    remoteAddress = request.remoteAddress
    contentType = request.header("content-type")
  }
}

/// Values reply templates can use.
public struct ReplyContext: Sendable {
  public var request: HookRequest
  public var fields: Value?
  public var options: [String: Value]
  public var secrets: ChannelSecrets
  public var inquiryID: String?
  public var rawID: String?
  /// The directory's name for the caller (`{{caller.name}}`), for providers that ask who calls.
  public var callerName: String?
  /// Whether the request passed the channel's authentication (a handshake that needs none is
  /// answered before it).
  public var authenticated = false

  public init(
    request: HookRequest, fields: Value?, options: [String: Value], secrets: ChannelSecrets,
    inquiryID: String? = nil, rawID: String? = nil
  ) {
    self.request = request
    self.fields = fields
    self.options = options
    self.secrets = secrets
    self.inquiryID = inquiryID
    self.rawID = rawID
  }

  /// Resolves `namespace.key`.
  public func resolve(_ namespace: String, _ key: String) -> String? {
    switch namespace {
    case "inquiry": return key == "id" ? inquiryID : nil
    case "raw": return key == "id" ? rawID : nil
    case "caller": return key == "name" ? callerName : nil
    case "request":
      switch key {
      case "path": return request.subpath
      case "method": return request.method
      default: return nil
      }
    case "query": return request.queryValue(key)
    case "header": return request.header(key)
    case "field":
      guard let value = FieldPath(key).flatMap({ fields?.value(at: $0) }) else { return nil }
      // A list (`user[]=Анна` of a form, `"user":["Анна"]`) as its values, comma-separated.
      if case .array(let items) = value {
        let texts = items.compactMap(\.text)
        return texts.isEmpty ? nil : texts.joined(separator: ",")
      }
      return value.text
    case "option": return options[key]?.text
    case "secret": return secrets[key]
    default: return nil
    }
  }
}

extension HookRequest {
  /// The request as the raw journal kept it (`inlet replay`): the transport metadata's method,
  /// path, query and headers (secrets redacted) with the stored body.
  public init(replaying transport: String, body: [UInt8]) {
    let metadata = (try? ValueJSON.parse(Array(transport.utf8)))?.object ?? [:]
    let query = (metadata["query"]?.object ?? [:]).sorted { $0.key < $1.key }
      .compactMap { item in item.value.text.map { (name: item.key, value: $0) } }
    let headers = (metadata["headers"]?.object ?? [:]).sorted { $0.key < $1.key }
      .compactMap { item in item.value.text.map { (name: item.key, value: $0) } }
    self.init(
      method: metadata["method"]?.text ?? "POST", subpath: metadata["path"]?.text ?? "",
      query: query, headers: headers, body: body,
      remoteAddress: metadata["remote_address"]?.text)
  }
}

extension RawSubmission {
  /// Kept as ignored because the spam checks caught it (a honeypot filled in, a form filled in
  /// faster than a person can), not for anything a person might have meant.
  public var isSpam: Bool {
    if case .ignored(let reason) = disposition { return reason.hasPrefix(SpamCheck.reasonPrefix) }
    return false
  }
}
