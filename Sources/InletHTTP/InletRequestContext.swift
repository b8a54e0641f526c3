import Hummingbird
import NIOCore

/// The request context of inlet's listener: the peer address, the body limit and, on `/api/v1`,
/// the authenticated API token.
public struct InletRequestContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?
  /// Set by ``APITokenMiddleware``.
  public var apiToken: APIToken?
  /// Set per listener from `http.max_body_bytes`.
  public var maxBodyBytes: Int

  public init(source: ApplicationRequestContextSource) {
    self.coreContext = .init(source: source)
    self.remoteAddress = source.channel.remoteAddress
    self.maxBodyBytes = 1 << 20
  }

  public var maxUploadSize: Int { maxBodyBytes }
}
