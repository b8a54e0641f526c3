import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Finds and reads `*_file` secrets: an absolute path as is; a bare name in
/// `$CREDENTIALS_DIRECTORY` (systemd's `LoadCredential=`), then `secrets_dir`, then the config
/// file's folder; a relative path with a folder against the config file's folder.
struct SecretResolver {
  var credentialsDirectory: String?
  var secretsDirectory: URL?
  var configFolder: URL
  /// `check-config` on the config the unit runs: the credentials the unit hands over, read
  /// where the service will get them (``SystemdUnit/credentialSources``).
  var unitSources: [String: String?]?
  /// Every secret read, by name: the file it came from (for `check-config`'s warnings).
  let files = SecretFiles()

  /// The files secrets were read from, in reading order.
  final class SecretFiles: @unchecked Sendable {
    private(set) var list: [(name: String, path: String)] = []
    func add(_ name: String, _ path: String) {
      if !list.contains(where: { $0.path == path }) { list.append((name, path)) }
    }
  }

  func candidates(_ name: String) -> [URL] {
    if name.hasPrefix("/") { return [URL(fileURLWithPath: name)] }
    if name.contains("/") { return [configFolder.appendingPathComponent(name)] }
    var list: [URL] = []
    if let credentialsDirectory, !credentialsDirectory.isEmpty {
      list.append(URL(fileURLWithPath: credentialsDirectory).appendingPathComponent(name))
    }
    if let secretsDirectory { list.append(secretsDirectory.appendingPathComponent(name)) }
    list.append(configFolder.appendingPathComponent(name))
    return list
  }

  /// The file a secret would be read from, if one exists.
  func locate(_ name: String) -> URL? {
    candidates(name).first { FileManager.default.fileExists(atPath: $0.path) }
  }

  /// The secret's text without surrounding whitespace (files usually end in a newline).
  func read(_ name: String, keyPath: String) throws(ConfigError) -> String {
    // (Inside the service, `$CREDENTIALS_DIRECTORY` holds what the unit handed over.)
    if !name.contains("/"), credentialsDirectory?.isEmpty ?? true, let sources = unitSources,
      let handed = sources[name]
    {
      guard let source = handed else {
        // Encrypted, inline, imported or from the credential store: systemd gives it to the
        // service alone.
        return "systemd-credential:\(name)"
      }
      var status = stat()
      // Only a file that is not there; one this user may not see is said so by the read.
      if stat(source, &status) != 0, errno == ENOENT {
        throw ConfigError(
          keyPath,
          "the unit hands `\(name)` over from \(source) (LoadCredential=), and there is no such "
            + "file: systemd would not start the service at all (243/CREDENTIALS)")
      }
      return try read(source, keyPath: keyPath, as: name)
    }
    return try read(name, keyPath: keyPath, as: name)
  }

  private func read(_ name: String, keyPath: String, as configured: String)
    throws(ConfigError) -> String
  {
    let places = candidates(name)
    for url in places {
      var status = stat()
      if stat(url.path, &status) != 0 {
        // A folder this user may not enter hides the file: say so, not "not found".
        if errno == EACCES {
          throw ConfigError(
            keyPath,
            "cannot read the secret file \(url.path): permission denied (the service gets "
              + "root-only secrets through LoadCredential=; README \"Install\")")
        }
        continue
      }
      if status.st_mode & S_IFMT == S_IFDIR {
        throw ConfigError(keyPath, "\(url.path) is a folder; name the secret file in it")
      }
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw ConfigError(keyPath, "cannot read the secret file \(url.path): permission denied")
      }
      guard let text = String(data: data, encoding: .utf8) else {
        throw ConfigError(keyPath, "the secret file \(url.path) is not UTF-8 text")
      }
      let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !value.isEmpty else {
        throw ConfigError(keyPath, "the secret file \(url.path) is empty")
      }
      files.add(configured, url.path)
      return value
    }
    if Self.looksLikeSecretItself(name) {
      // Not repeated: the message goes to the journal and to log shippers.
      throw ConfigError(
        keyPath,
        "no secret file named `\(name.prefix(3))…` was found, and the name looks like the secret "
          + "itself: a *_file key names a file that holds the secret (put the value in a file, "
          + "chmod 600, and name that file here)")
    }
    throw ConfigError(
      keyPath,
      "secret `\(name)` not found (looked in: \(places.map(\.path).joined(separator: ", ")))")
  }

  /// A value pasted where a file name belongs: long, no folder or extension, and both letters
  /// and digits in numbers no file name has (`9fQxL2…`, a hex digest).
  static func looksLikeSecretItself(_ name: String) -> Bool {
    guard name.utf8.count >= 16, !name.contains("/"), !name.contains(".") else { return false }
    let digits = name.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }.count
    let letters = name.utf8.filter { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }.count
    let separators = name.utf8.filter { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }.count
    let uuid =
      name.utf8.count == 36 && separators == 4
      && name.utf8.allSatisfy { $0 == UInt8(ascii: "-") || Self.isHexDigit($0) }
    return uuid || (digits >= 4 && letters >= 4 && separators <= 1)
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)
  }
}
