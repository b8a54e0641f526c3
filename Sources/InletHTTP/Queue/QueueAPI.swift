import Hummingbird
import InletCore
import InletStore

/// The lead queue API of issue 8 registered in one place: listing, transitions, the event
/// stream, stored bytes, the delivery outbox and the OpenAPI document.
struct QueueAPI {
  let database: InletDatabase
  let channels: ChannelTable
  /// The API tokens as configured now (a reload may revoke one).
  let tokens: @Sendable () -> [APIToken]
  /// The attachments in a kept raw item's bytes, for a promoted item.
  var keptReading: @Sendable (RawItemRecord) -> KeptReading = {
    KeptReading(idempotencyKey: $0.idempotencyKey)
  }

  func register(on router: Router<InletRequestContext>, api: RouterGroup<InletRequestContext>) {
    let inquiries = InquiryController(database: database, keptReading: keptReading)
    inquiries.registerList(on: api)
    inquiries.registerTransitions(on: api)
    EventStream(database: database, tokens: tokens).register(on: api)
    EventPage(database: database).register(on: api)
    ContentController(database: database, channels: channels).register(on: api)
    DeliveryController(database: database).register(on: api)
    // The API description is public: a CRM integrator reads it before holding a token.
    router.get("/api/v1/openapi.yaml") { _, _ in
      var headers = HTTPFields()
      headers[.contentType] = "application/yaml; charset=utf-8"
      return Response(
        status: .ok, headers: headers,
        body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
  }
}
