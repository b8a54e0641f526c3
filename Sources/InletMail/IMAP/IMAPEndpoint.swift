/// How the client proves who it is after the connection is up.
public enum IMAPCredential: Sendable, Equatable {
  /// SASL PLAIN or LOGIN, whichever the server offers (libcurl picks).
  case password(String)
  /// SASL XOAUTH2 with an OAuth 2.0 access token (Gmail, Microsoft 365).
  case xoauth2(token: String)
}

/// Transport security of the IMAP connection.
public enum IMAPTLSMode: String, Sendable, Equatable {
  /// TLS from the first byte (`imaps://`, usually port 993).
  case implicit
  /// Plain connection upgraded with STARTTLS before the login; required, never optional.
  case starttls
  /// No TLS at all (`imap://` only): meant for loopback tests.
  case none
}

/// Where a mailbox lives and how to log in to it.
public struct IMAPEndpoint: Sendable, Equatable {
  /// `imaps://host[:port]/Folder` or `imap://host[:port]/Folder`; the folder is the URL path,
  /// possibly percent-encoded UTF-8, `INBOX` when empty.
  public var url: String
  public var username: String
  public var credential: IMAPCredential
  public var tls: IMAPTLSMode
  /// PEM bundle of the certificate authorities to trust instead of the system's.
  public var caFile: String?
  /// Seconds to wait for any single network step (connect, login, one read or write).
  public var timeout: Double

  public init(
    url: String, username: String, credential: IMAPCredential, tls: IMAPTLSMode,
    caFile: String? = nil, timeout: Double = 30
  ) {
    self.url = url
    self.username = username
    self.credential = credential
    self.tls = tls
    self.caFile = caFile
    self.timeout = timeout
  }

  /// TLS from the scheme: `.implicit` for `imaps://`, `.starttls` for `imap://`.
  public init(
    url: String, username: String, credential: IMAPCredential, caFile: String? = nil,
    timeout: Double = 30
  ) {
    self.init(
      url: url, username: username, credential: credential, tls: Self.defaultTLS(for: url),
      caFile: caFile, timeout: timeout)
  }

  /// `.implicit` for `imaps://`, `.starttls` otherwise.
  public static func defaultTLS(for url: String) -> IMAPTLSMode {
    split(url)?.scheme == "imaps" ? .implicit : .starttls
  }

  /// The folder named by the URL path, percent-decoded; `INBOX` when the path is empty.
  public var folder: String {
    guard let parts = IMAPEndpoint.split(url) else { return "INBOX" }
    var path = parts.path
    while path.hasPrefix("/") { path.removeFirst() }
    if let semicolon = path.firstIndex(of: ";") { path = String(path[..<semicolon]) }
    if path.isEmpty { return "INBOX" }
    return IMAPEndpoint.percentDecoded(path) ?? path
  }

  /// The URL without its path, as handed to libcurl (it never selects a folder itself).
  var serverURL: String? {
    guard let parts = IMAPEndpoint.split(url) else { return nil }
    return "\(parts.scheme)://\(parts.authority)/"
  }

  /// `host:port` for messages.
  var serverName: String {
    guard let parts = IMAPEndpoint.split(url) else { return url }
    if let at = parts.authority.lastIndex(of: "@") {
      return String(parts.authority[parts.authority.index(after: at)...])
    }
    return parts.authority
  }

  /// Checks the scheme and the TLS mode against each other.
  func validate() throws(IMAPError) {
    guard let parts = IMAPEndpoint.split(url), !parts.authority.isEmpty else {
      throw .connect("not an imap:// or imaps:// URL: \(url)")
    }
    switch (parts.scheme, tls) {
    case ("imaps", .implicit), ("imap", .starttls), ("imap", .none):
      return
    case ("imaps", _):
      throw .connect("imaps:// always uses implicit TLS (tls: \(tls.rawValue) does not apply)")
    case ("imap", _):
      throw .connect("imap:// uses STARTTLS or no TLS; use imaps:// for implicit TLS")
    default:
      throw .connect("unsupported URL scheme \(parts.scheme)://")
    }
  }

  static func split(_ url: String) -> (scheme: String, authority: String, path: String)? {
    guard let range = url.range(of: "://") else { return nil }
    let scheme = url[..<range.lowerBound].lowercased()
    guard scheme == "imap" || scheme == "imaps" else { return nil }
    let rest = url[range.upperBound...]
    if let slash = rest.firstIndex(of: "/") {
      return (scheme, String(rest[..<slash]), String(rest[slash...]))
    }
    return (scheme, String(rest), "")
  }

  static func percentDecoded(_ text: String) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next().flatMap(ByteSearch.hexValue),
        let low = iterator.next().flatMap(ByteSearch.hexValue)
      else { return nil }
      bytes.append(high << 4 | low)
    }
    return String(validating: bytes, as: UTF8.self)
  }

}
