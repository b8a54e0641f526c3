import Hummingbird
import InletCore
import InletStore

/// Everything the listener serves, assembled.
public struct InletRouter: Sendable {
  public let channels: ChannelTable
  public let processor: HookProcessor
  public let database: InletDatabase
  public let health: HealthRegistry
  public let tokens: @Sendable () -> [APIToken]
  public let metricsText: @Sendable () -> [UInt8]
  public let maxBodyBytes: Int
  /// `http.public_url`: the base URL providers call (Twilio signs it).
  public var publicURL: String?
  /// `http.trusted_proxies`: peers whose `X-Forwarded-For` names the client.
  public var trustedProxies: [String] = []
  /// A kept raw item read again when it is promoted: its attachments and idempotency key.
  public var keptReading: @Sendable (RawItemRecord) -> KeptReading = {
    KeptReading(idempotencyKey: $0.idempotencyKey)
  }

  public init(
    channels: ChannelTable, processor: HookProcessor, database: InletDatabase,
    health: HealthRegistry, tokens: @escaping @Sendable () -> [APIToken],
    metricsText: @escaping @Sendable () -> [UInt8], maxBodyBytes: Int
  ) {
    self.channels = channels
    self.processor = processor
    self.database = database
    self.health = health
    self.tokens = tokens
    self.metricsText = metricsText
    self.maxBodyBytes = maxBodyBytes
  }

  /// Builds the router with every route and middleware.
  public func build() -> Router<InletRequestContext> {
    let router = Router(context: InletRequestContext.self)
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBodyBytes: maxBodyBytes))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware())
    HealthController(health: health, database: database, metricsText: metricsText)
      .register(on: router)
    HookController(
      channels: channels, processor: processor, database: database, health: health,
      publicURL: publicURL, trustedProxies: Set(trustedProxies.map(ClientAddress.normalized))
    )
    .register(on: router)
    let api = router.group("/api/v1").add(middleware: APITokenMiddleware(tokens: tokens))
    InquiryController(database: database).register(on: api)
    DirectoryController(database: database).register(on: api)
    QueueAPI(database: database, channels: channels, tokens: tokens, keptReading: keptReading)
      .register(on: router, api: api)
    return router
  }
}

/// Carries `http.max_body_bytes` into every request's context.
struct BodyLimitMiddleware: RouterMiddleware {
  typealias Context = InletRequestContext
  let maxBodyBytes: Int

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    var context = context
    context.maxBodyBytes = maxBodyBytes
    return try await next(request, context)
  }
}
