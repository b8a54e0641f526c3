import Foundation

/// How a messenger definition recognises messages of one conversation: the key (a chat, a peer,
/// a phone) and, optionally, the provider's own message time.
///
/// A message whose conversation had activity within the instance's `conversation_window`
/// (default 30 minutes) continues that conversation's inquiry (design.md, "Statuses").
public struct ConversationSpec: Sendable, Decodable {
  /// Paths tried in order; the first non-empty value is the conversation key.
  public var key: [FieldPath]
  /// Paths to the message time in Unix seconds; the receive time when absent.
  public var at: [FieldPath]
  /// Paths to the account the message was sent to, where one channel serves several (a Meta
  /// app's WhatsApp numbers, a VK callback server of several communities): the first non-empty
  /// value scopes the key, so a customer writing to two of them holds two conversations.
  public var scope: [FieldPath]

  enum CodingKeys: String, CodingKey, CaseIterable { case key, at, scope }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    key = try c.fieldPaths(forKey: .key)
    at = try c.contains(.at) ? c.fieldPaths(forKey: .at) : []
    scope = try c.contains(.scope) ? c.fieldPaths(forKey: .scope) : []
    if key.isEmpty {
      throw DecodingError.dataCorruptedError(
        forKey: .key, in: c, debugDescription: "list at least one path")
    }
  }

  /// The default window: 30 minutes.
  public static let defaultWindow: TimeInterval = 30 * 60
}

/// The conversation a message belongs to, on its way into the store.
public struct ConversationReference: Sendable, Equatable {
  /// Scoped by channel instance (`tg:123456789`).
  public var key: String
  /// The message time (the provider's, or the receive time).
  public var at: Date
  /// How long after the conversation's last message a new one still continues it.
  public var window: TimeInterval
  /// The key without its scope (``ConversationSpec/scope``), as conversations were keyed before
  /// scopes: one stored so is found by it until the conversation has an inquiry of the new key.
  public var unscopedKey: String?

  public init(key: String, at: Date, window: TimeInterval, unscopedKey: String? = nil) {
    self.key = key
    self.at = at
    self.window = window
    self.unscopedKey = unscopedKey
  }
}
