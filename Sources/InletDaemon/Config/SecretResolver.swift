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
      files.add(name, url.path)
      return value
    }
    throw ConfigError(
      keyPath,
      "secret `\(name)` not found (looked in: \(places.map(\.path).joined(separator: ", ")))")
  }
}
