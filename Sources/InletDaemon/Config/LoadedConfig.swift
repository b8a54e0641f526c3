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
  /// `mailboxes:`, validated, with their credentials' sources resolved.
  public var mailboxes: [MailboxSettings] = []
}
