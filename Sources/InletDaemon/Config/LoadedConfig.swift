import Foundation
import InletCore
import InletHTTP

/// The configuration resolved for running: absolute paths, secrets read, channel instances built.
public struct LoadedConfig: Sendable {
  public var config: InletConfig
  /// The config file.
  public var file: URL
  /// `database.path`, absolute.
  public var databasePath: String
  /// `channels_dir`, absolute.
  public var channelsDir: URL
  public var channels: [ChannelInstance]
  public var apiTokens: [APIToken]
  /// The secret of `delivery.secret_file` (signs pushed deliveries).
  public var deliverySecret: String? = nil
  /// The password of `delivery.password_file` (Basic authentication of `delivery.url`'s user).
  public var deliveryPassword: String? = nil
  /// `mailboxes:`, validated, with their credentials' sources resolved.
  public var mailboxes: [MailboxSettings] = []
  /// The files the secrets were read from (name as configured, path).
  public var secretFiles: [(name: String, path: String)] = []

  /// Secrets this process could read but the installed service could not: files outside
  /// `$CREDENTIALS_DIRECTORY` that other users may not read, when no `LoadCredential=` line
  /// of the unit (`unit`, default the installed one: its comment says to uncomment them
  /// there) or of its drop-ins (`dropIns`) hands them over. The service runs as a dynamic
  /// user; `check-config` run as root would otherwise pass them.
  public func secretsTheServiceCannotRead(
    unit: String = "/etc/systemd/system/inlet.service",
    dropIns: String = "/etc/systemd/system/inlet.service.d",
    credentialsDirectory: String? = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"]
  ) -> [(name: String, path: String)] {
    let text = (try? String(contentsOfFile: unit, encoding: .utf8)) ?? ""
    return secretsTheServiceCannotRead(
      by: SystemdUnit(text: text + "\n" + Self.dropInText(dropIns)),
      credentialsDirectory: credentialsDirectory)
  }

  /// The same, for a unit already read.
  public func secretsTheServiceCannotRead(
    by unit: SystemdUnit,
    credentialsDirectory: String? = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"]
  ) -> [(name: String, path: String)] {
    if let credentialsDirectory, !credentialsDirectory.isEmpty { return [] }
    return secretFiles.filter { !unit.hands($0.name) && !Self.othersCanRead($0.path) }
  }

  /// Whether `delivery.url` itself holds a password: the config file is readable by every
  /// local user (it is meant to hold no secrets), so `check-config` warns.
  public var deliveryURLHoldsPassword: Bool {
    guard let url = config.delivery?.url, let password = URLComponents(string: url)?.password
    else { return false }
    return !password.isEmpty
  }

  /// Secrets any local user can read (outside `$CREDENTIALS_DIRECTORY`): a leaked token, found
  /// by whoever logs in. `check-config` warns about them.
  public func secretsOthersCanRead(
    credentialsDirectory: String? = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"]
  ) -> [(name: String, path: String)] {
    secretFiles.filter { secret in
      if let credentialsDirectory, !credentialsDirectory.isEmpty,
        secret.path.hasPrefix(credentialsDirectory + "/")
      {
        return false
      }
      return Self.othersCanRead(secret.path)
    }
  }

  /// Whether a user other than the owner (and not in its group) can read `path`: the file
  /// readable by others and every folder above it enterable by others.
  static func othersCanRead(_ path: String) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & 0o004 != 0 else { return false }
    var folder = (path as NSString).deletingLastPathComponent
    while !folder.isEmpty && folder != "/" {
      guard stat(folder, &status) == 0, status.st_mode & 0o001 != 0 else { return false }
      folder = (folder as NSString).deletingLastPathComponent
    }
    return true
  }
}
