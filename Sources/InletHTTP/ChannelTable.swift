import InletCore
import Synchronization

/// The configured channel instances by name; swapped whole when the configuration is reloaded.
public final class ChannelTable: Sendable {
  private let instances: Mutex<[String: ChannelInstance]>

  public init(_ instances: [ChannelInstance]) {
    self.instances = Mutex(
      Dictionary(instances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }))
  }

  /// The instance serving `/hooks/{name}`.
  public func instance(named name: String) -> ChannelInstance? {
    instances.withLock { $0[name] }
  }

  /// All instances, sorted by name.
  public var all: [ChannelInstance] {
    instances.withLock { Array($0.values) }.sorted { $0.name < $1.name }
  }

  /// Swaps in a reloaded configuration's instances; requests in flight keep the instance they
  /// already looked up.
  public func replace(with instances: [ChannelInstance]) {
    let table = Dictionary(instances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    self.instances.withLock { $0 = table }
  }
}
