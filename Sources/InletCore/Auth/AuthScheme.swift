/// A way a provider proves a webhook request is theirs: a built-in, implemented in Swift and
/// named by channel definitions (`auth.scheme`).
public protocol AuthScheme: Sendable {
  /// The name definitions use (`bearer-or-url-token`).
  var name: String { get }
  /// The secrets an instance must supply (`token` comes from the instance's `token_file`).
  var requiredSecrets: [String] { get }
  /// Whether ``authenticate(_:body:secrets:)`` needs the decoded body (a secret inside it).
  var needsDecodedBody: Bool { get }
  /// Whether the provider signs the public URL it called (`http.public_url` must be set).
  var needsPublicURL: Bool { get }
  /// Whether the decision reads the body at all (a signature over it, a secret inside it);
  /// `false`: headers and URL decide, and a request is refused before its body is read.
  var readsBody: Bool { get }
  /// Decides; never throws, never logs secrets. `parameters` are the definition's
  /// `auth.parameters`.
  func authenticate(
    _ request: HookRequest, body: DecodedBody?, secrets: ChannelSecrets,
    parameters: [String: String]
  )
    -> AuthDecision
}

extension AuthScheme {
  public var needsPublicURL: Bool { false }
  public var readsBody: Bool { true }
}

/// The outcome of an authentication check.
public enum AuthDecision: Sendable, Equatable {
  case authenticated
  /// Refused; the reason is safe to log and to tell the caller (it never contains a secret).
  case refused(String)
}

/// The resolved secrets of one channel instance, by the scheme's names.
public struct ChannelSecrets: Sendable {
  private let values: [String: String]

  public init(_ values: [String: String]) { self.values = values }

  /// The secret, if configured.
  public subscript(name: String) -> String? { values[name] }

  /// Whether `text` is one of the secrets' values (a token in a URL's path or query is not
  /// stored).
  public func isValue(_ text: String) -> Bool { !text.isEmpty && values.values.contains(text) }

  /// The names present, for validation messages.
  public var names: [String] { values.keys.sorted() }

  /// `bytes` with every secret value of 6 characters or more replaced by `[redacted]`: a body
  /// that carries its own credential (VK's `secret`, MegaFon's `crm_token`) is shown without it.
  public func redacting(_ bytes: [UInt8]) -> [UInt8] {
    var result = bytes
    let marker = Array("[redacted]".utf8)
    // As written, percent-encoded (a form body) and with JSON's escaped slash.
    var needles: Set<String> = []
    for value in values.values where value.utf8.count >= 6 {
      needles.insert(value)
      needles.insert(FormURLEncoding.encode(value))
      needles.insert(value.replacingOccurrences(of: "/", with: "\\/"))
    }
    for value in needles.sorted(by: { $0.utf8.count > $1.utf8.count }) {
      let needle = Array(value.utf8)
      guard result.count >= needle.count else { continue }
      var output: [UInt8] = []
      output.reserveCapacity(result.count)
      var index = 0
      while index < result.count {
        if result[index] == needle[0], index + needle.count <= result.count,
          result[index..<(index + needle.count)].elementsEqual(needle)
        {
          output += marker
          index += needle.count
        } else {
          output.append(result[index])
          index += 1
        }
      }
      result = output
    }
    return result
  }
}

/// The schemes a definition may name.
public struct AuthSchemeRegistry: Sendable {
  private var schemes: [String: any AuthScheme]

  /// Every scheme built into this version of inlet.
  public static let builtIn = AuthSchemeRegistry(schemes: [
    BearerOrURLTokenScheme(), PathOrURLTokenScheme(), FormFieldTokenScheme(), MangoSignScheme(),
    ZadarmaSignatureScheme(), TwilioSignatureScheme(), TelegramSecretTokenScheme(),
    VKSecretScheme(), HubSignature256Scheme(),
  ])

  public init(schemes: [any AuthScheme]) {
    self.schemes = Dictionary(schemes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
  }

  /// Adds (or replaces) a scheme.
  public mutating func register(_ scheme: any AuthScheme) { schemes[scheme.name] = scheme }

  /// The scheme with that name.
  public func scheme(named name: String) -> (any AuthScheme)? { schemes[name] }

  /// All names, sorted, for error messages.
  public var names: [String] { schemes.keys.sorted() }
}
