import InletCore

/// One entry of `channels:`.
public struct ChannelSection: Sendable, Decodable {
  /// The instance name: `/hooks/{name}`.
  public var name: String
  /// The definition file name in `channels_dir` (without `.yaml`).
  public var definition: String
  /// The token for bearer/URL-token schemes.
  public var tokenFile: String?
  /// Secret files by `<secret>_file`.
  public var secrets: [String: String]
  /// Options the definition declares.
  public var options: [String: Value]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, definition
    case tokenFile = "token_file"
    case secrets, options
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    let allowed = name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
    }
    guard !name.isEmpty, allowed else {
      throw DecodingError.dataCorruptedError(
        forKey: .name, in: c,
        debugDescription: "a channel name is lower-case letters, digits, - and _ (it is a URL part)"
      )
    }
    definition = try c.decode(String.self, forKey: .definition)
    tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
    secrets = try c.decodeIfPresent([String: String].self, forKey: .secrets) ?? [:]
    for key in secrets.keys where !key.hasSuffix("_file") {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: c.codingPath + [CodingKeys.secrets, AnyCodingKey(stringValue: key)],
          debugDescription: "secrets are read from files: name the key `\(key)_file`"))
    }
    options = try c.decodeIfPresent([String: Value].self, forKey: .options) ?? [:]
  }
}

/// One entry of `mailboxes:` (polled by the mail channel).
public struct MailboxSection: Sendable, Decodable {
  public var name: String
  public var url: String
  public var username: String
  public var passwordFile: String?
  public var oauth2TokenFile: String?
  public var oauth2TokenCommand: String?
  public var tls: String
  public var caFile: String?
  public var firstSync: Value
  public var afterIngest: String
  public var pollInterval: String
  public var idle: Bool
  public var maxMessageBytes: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, url, username
    case passwordFile = "password_file"
    case oauth2TokenFile = "oauth2_token_file"
    case oauth2TokenCommand = "oauth2_token_command"
    case tls
    case caFile = "ca_file"
    case firstSync = "first_sync"
    case afterIngest = "after_ingest"
    case pollInterval = "poll_interval"
    case idle
    case maxMessageBytes = "max_message_bytes"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    url = try c.decode(String.self, forKey: .url)
    guard url.hasPrefix("imap://") || url.hasPrefix("imaps://") else {
      throw DecodingError.dataCorruptedError(
        forKey: .url, in: c, debugDescription: "an imaps:// or imap:// URL")
    }
    username = try c.decode(String.self, forKey: .username)
    passwordFile = try c.decodeIfPresent(String.self, forKey: .passwordFile)
    oauth2TokenFile = try c.decodeIfPresent(String.self, forKey: .oauth2TokenFile)
    oauth2TokenCommand = try c.decodeIfPresent(String.self, forKey: .oauth2TokenCommand)
    tls = try c.decodeIfPresent(String.self, forKey: .tls) ?? "starttls"
    caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
    firstSync = try c.decodeIfPresent(Value.self, forKey: .firstSync) ?? "from_now"
    afterIngest = try c.decodeIfPresent(String.self, forKey: .afterIngest) ?? "keep"
    pollInterval = try c.decodeIfPresent(String.self, forKey: .pollInterval) ?? "60s"
    idle = try c.decodeIfPresent(Bool.self, forKey: .idle) ?? true
    maxMessageBytes =
      try c.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? 25 * 1024 * 1024
  }
}
