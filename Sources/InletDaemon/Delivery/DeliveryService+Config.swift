import InletStore
import Logging
import ServiceLifecycle
import Synchronization

extension DeliveryService {
  /// The delivery service for the `delivery:` section, or none when push is not configured.
  static func services(
    loaded: LoadedConfig, database: InletDatabase, secret: DeliverySecret, logger: Logger
  ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    guard let section = loaded.config.delivery else { return [] }
    if loaded.deliverySecret == nil {
      logger.warning("delivery.secret_file is not set: deliveries go out unsigned")
    }
    let settings = Settings(
      url: section.url, secret: loaded.deliverySecret ?? "", maxAttempts: section.maxAttempts,
      timeout: section.timeout, backoff: section.backoff, maxBackoff: section.maxBackoff)
    var service = DeliveryService(database: database, settings: settings, logger: logger)
    service.rotatedSecret = secret
    return [.init(service: service)]
  }
}

/// The delivery signing secret, replaced when a reload reads a rotated `delivery.secret_file`:
/// a CRM switched to the new key must not reject every push until a restart.
final class DeliverySecret: Sendable {
  private let value: Mutex<String>

  init(_ secret: String) { value = Mutex(secret) }

  var current: String { value.withLock { $0 } }

  /// Takes `secret`; whether it differs from the one in use.
  func replace(with secret: String) -> Bool {
    value.withLock { current in
      defer { current = secret }
      return current != secret
    }
  }
}
