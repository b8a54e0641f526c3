import Foundation
import InletCore

/// The configuration file (design.md, "Configuration"), with a default for every field.
///
/// Decoded with Yams; unknown keys are errors so a typo is reported, not ignored.
public struct InletConfig: Sendable, Decodable {
  public var database = DatabaseSection()
  public var channelsDir = "channels"
  /// Where bare secret file names are looked up after `$CREDENTIALS_DIRECTORY` (and before the
  /// config file's folder); relative to the config file.
  public var secretsDir: String?
  public var http = HTTPSection()
  public var phone = PhoneSection()
  public var api = APISection()
  public var delivery: DeliverySection?
  public var mailboxes: [MailboxSection] = []
  public var mail = MailSection()
  public var channels: [ChannelSection] = []
  public var logging = LoggingSection()
  public var matching = MatchingSection()
  public var retention = RetentionSection()

  public init() {}

  enum CodingKeys: String, CodingKey, CaseIterable {
    case database
    case channelsDir = "channels_dir"
    case secretsDir = "secrets_dir"
    case http, phone, api, delivery, mailboxes, mail, channels, logging, matching, retention
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    database = try c.decodeIfPresent(DatabaseSection.self, forKey: .database) ?? database
    channelsDir = try c.decodeIfPresent(String.self, forKey: .channelsDir) ?? channelsDir
    secretsDir = try c.decodeIfPresent(String.self, forKey: .secretsDir)
    http = try c.decodeIfPresent(HTTPSection.self, forKey: .http) ?? http
    phone = try c.decodeIfPresent(PhoneSection.self, forKey: .phone) ?? phone
    api = try c.decodeIfPresent(APISection.self, forKey: .api) ?? api
    delivery = try c.decodeIfPresent(DeliverySection.self, forKey: .delivery)
    mailboxes = try c.decodeIfPresent([MailboxSection].self, forKey: .mailboxes) ?? []
    mail = try c.decodeIfPresent(MailSection.self, forKey: .mail) ?? mail
    channels = try c.decodeIfPresent([ChannelSection].self, forKey: .channels) ?? []
    logging = try c.decodeIfPresent(LoggingSection.self, forKey: .logging) ?? logging
    matching = try c.decodeIfPresent(MatchingSection.self, forKey: .matching) ?? matching
    retention = try c.decodeIfPresent(RetentionSection.self, forKey: .retention) ?? retention
  }

  /// `database:`
  public struct DatabaseSection: Sendable, Decodable {
    public var path = "var/inlet.sqlite"

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case path }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      path = try c.decodeIfPresent(String.self, forKey: .path) ?? path
      // (An empty one, `INLET_DATABASE_PATH=` left blank, would be SQLite's temporary file.)
      guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw DecodingError.dataCorruptedError(
          forKey: .path, in: c, debugDescription: "the database file's path, not empty")
      }
    }
  }

  /// `http:`
  public struct HTTPSection: Sendable, Decodable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var maxBodyBytes = 1_048_576
    public var publicURL: String?
    public var trustedProxies = ["127.0.0.1"]
    /// A connection that sent nothing for this long (no request, a request or body that
    /// stalled) is closed: a client cannot hold connections open for ever.
    public var idleTimeout: Duration = .seconds(60)

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable {
      case host, port
      case maxBodyBytes = "max_body_bytes"
      case publicURL = "public_url"
      case trustedProxies = "trusted_proxies"
      case idleTimeout = "idle_timeout"
    }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      host = try c.decodeIfPresent(String.self, forKey: .host) ?? host
      port = try c.decodeIfPresent(Int.self, forKey: .port) ?? port
      // Not 0: the kernel would pick a port, which neither the clients nor `inlet status` know.
      guard (1...65535).contains(port) else {
        let zero = port == 0 ? " (0 would listen on a random port)" : ""
        throw DecodingError.dataCorruptedError(
          forKey: .port, in: c, debugDescription: "a TCP port from 1 to 65535, not \(port)\(zero)")
      }
      maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? maxBodyBytes
      guard maxBodyBytes > 0 else {
        throw DecodingError.dataCorruptedError(
          forKey: .maxBodyBytes, in: c, debugDescription: "a positive number of bytes")
      }
      publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
      if let publicURL {
        guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(),
          scheme == "https" || scheme == "http", url.host?.isEmpty == false
        else {
          throw DecodingError.dataCorruptedError(
            forKey: .publicURL, in: c,
            debugDescription: "the URL providers call, such as https://leads.example.ru")
        }
      }
      trustedProxies =
        try c.decodeIfPresent([String].self, forKey: .trustedProxies) ?? trustedProxies
      // Compared with the peer's address as text: a CIDR range or a name would never match.
      for proxy in trustedProxies where !Self.isIPLiteral(proxy) {
        throw DecodingError.dataCorruptedError(
          forKey: .trustedProxies, in: c,
          debugDescription: "`\(proxy)` is not an IP address (ranges and names are not supported)")
      }
      idleTimeout = try c.decodePositiveDuration(forKey: .idleTimeout) ?? idleTimeout
      guard host == "localhost" || Self.isIPLiteral(host) else {
        throw DecodingError.dataCorruptedError(
          forKey: .host, in: c,
          debugDescription: "an IP address to listen on (127.0.0.1, 0.0.0.0, ::1, ::)")
      }
    }

    /// An IPv4 or IPv6 address as text.
    static func isIPLiteral(_ text: String) -> Bool {
      var v4 = in_addr()
      var v6 = in6_addr()
      return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
  }

  /// `phone:`
  public struct PhoneSection: Sendable, Decodable, Equatable {
    public var defaultCountry = "RU"

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case defaultCountry = "default_country" }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      defaultCountry =
        try c.decodeIfPresent(String.self, forKey: .defaultCountry)?.uppercased() ?? defaultCountry
      guard CountryDialingPlan.plan(forCountry: defaultCountry) != nil else {
        throw DecodingError.dataCorruptedError(
          forKey: .defaultCountry, in: c,
          debugDescription: "`\(defaultCountry)` is not a country inlet knows (ISO code like RU)")
      }
    }
  }

  /// `api:`
  public struct APISection: Sendable, Decodable {
    public var tokens: [TokenEntry] = []

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case tokens }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      tokens = try c.decodeIfPresent([TokenEntry].self, forKey: .tokens) ?? []
    }

    /// One API token.
    public struct TokenEntry: Sendable, Decodable {
      public var name: String
      public var tokenFile: String
      public var scope: String

      enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case tokenFile = "token_file"
        case scope
      }

      public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        tokenFile = try c.decode(String.self, forKey: .tokenFile)
        scope = try c.decodeIfPresent(String.self, forKey: .scope) ?? "read"
        guard ["read", "read-write"].contains(scope) else {
          throw DecodingError.dataCorruptedError(
            forKey: .scope, in: c, debugDescription: "`read` or `read-write`")
        }
      }
    }
  }

  /// `delivery:` (push to the CRM).
  public struct DeliverySection: Sendable, Decodable, Equatable {
    public var url: String
    public var secretFile: String?
    /// The Basic password of the user `url` names (`https://inlet@crm.example.ru/hs/leads`),
    /// kept out of the config file, which every local user may read.
    public var passwordFile: String?
    public var maxAttempts = 12
    /// How long one POST may take before it counts as failed.
    public var timeout: Duration = .seconds(10)
    /// The first retry delay; it doubles per attempt (with jitter) up to `max_backoff`. With
    /// the defaults the 12 attempts span 3–6 hours: a CRM's maintenance window does not
    /// dead-letter what arrived meanwhile.
    public var backoff: Duration = .seconds(60)
    public var maxBackoff: Duration = .seconds(3600)

    enum CodingKeys: String, CodingKey, CaseIterable {
      case url
      case secretFile = "secret_file"
      case passwordFile = "password_file"
      case maxAttempts = "max_attempts"
      case timeout, backoff
      case maxBackoff = "max_backoff"
    }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      url = try c.decode(String.self, forKey: .url)
      guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
        scheme == "http" || scheme == "https", parsed.host?.isEmpty == false
      else {
        throw DecodingError.dataCorruptedError(
          forKey: .url, in: c, debugDescription: "an http:// or https:// URL with a host")
      }
      secretFile = try c.decodeIfPresent(String.self, forKey: .secretFile)
      passwordFile = try c.decodeIfPresent(String.self, forKey: .passwordFile)
      if passwordFile != nil {
        guard parsed.user?.isEmpty == false else {
          throw DecodingError.dataCorruptedError(
            forKey: .passwordFile, in: c,
            debugDescription: "name the user in delivery.url (https://USER@host/path)")
        }
        guard parsed.password == nil else {
          throw DecodingError.dataCorruptedError(
            forKey: .passwordFile, in: c,
            debugDescription: "delivery.url holds a password too: keep it in the file only")
        }
      }
      maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? maxAttempts
      guard maxAttempts >= 1 else {
        throw DecodingError.dataCorruptedError(
          forKey: .maxAttempts, in: c, debugDescription: "at least 1")
      }
      timeout = try c.decodePositiveDuration(forKey: .timeout) ?? timeout
      backoff = try c.decodePositiveDuration(forKey: .backoff) ?? backoff
      maxBackoff = try c.decodePositiveDuration(forKey: .maxBackoff) ?? maxBackoff
    }
  }

  /// `matching:` (directory matching of inquiries).
  public struct MatchingSection: Sendable, Decodable, Equatable {
    /// Public mail services, never used as a corporate domain; replaces the shipped list.
    public var freeMailDomains = MatchingRules.defaultFreeMailDomains
    /// A criterion finding more records than this is not used.
    public var maxMatches = 20

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable {
      case freeMailDomains = "free_mail_domains"
      case maxMatches = "max_matches"
    }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      freeMailDomains =
        try c.decodeIfPresent([String].self, forKey: .freeMailDomains) ?? freeMailDomains
      maxMatches = try c.decodeIfPresent(Int.self, forKey: .maxMatches) ?? maxMatches
      guard maxMatches > 0 else {
        throw DecodingError.dataCorruptedError(
          forKey: .maxMatches, in: c, debugDescription: "a positive number of clients")
      }
    }

    /// The rules matching runs with.
    public var rules: MatchingRules {
      MatchingRules(freeMailDomains: freeMailDomains, maxMatches: maxMatches)
    }
  }

  /// `logging:`
  public struct LoggingSection: Sendable, Decodable, Equatable {
    public var level = "info"
    public var format = "text"

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case level, format }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      level = try c.decodeIfPresent(String.self, forKey: .level) ?? level
      format = try c.decodeIfPresent(String.self, forKey: .format) ?? format
      let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
      guard levels.contains(level) else {
        throw DecodingError.dataCorruptedError(
          forKey: .level, in: c, debugDescription: "one of \(levels.joined(separator: ", "))")
      }
      guard ["text", "json"].contains(format) else {
        throw DecodingError.dataCorruptedError(
          forKey: .format, in: c, debugDescription: "`text` or `json`")
      }
    }
  }
}
