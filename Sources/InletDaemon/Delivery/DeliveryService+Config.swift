import Foundation
import InletStore
import Logging
import ServiceLifecycle

extension DeliveryService {
  /// The delivery service for the `delivery:` section, or none when push is not configured.
  static func services(
    loaded: LoadedConfig, database: InletDatabase, secret: Reloadable<String>, logger: Logger
  ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    guard let section = loaded.config.delivery else { return [] }
    if loaded.deliverySecret == nil {
      logger.warning("delivery.secret_file is not set: deliveries go out unsigned")
    }
    var url = section.url
    if let password = loaded.deliveryPassword, var components = URLComponents(string: url) {
      components.password = password
      url = components.string ?? url
    }
    let settings = Settings(
      url: url, secret: loaded.deliverySecret ?? "", maxAttempts: section.maxAttempts,
      timeout: section.timeout, backoff: section.backoff, maxBackoff: section.maxBackoff)
    var service = DeliveryService(database: database, settings: settings, logger: logger)
    service.rotatedSecret = secret
    return [.init(service: service)]
  }
}
