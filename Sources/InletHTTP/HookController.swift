import Foundation
import HTTPTypes
import Hummingbird
import InletCore
import InletStore
import Logging
import Metrics
import NIOCore

/// `/hooks/{channel}` and `/hooks/{channel}/{rest...}`: authenticate, store, then answer.
struct HookController {
  let channels: ChannelTable
  let processor: HookProcessor
  let database: InletDatabase
  let health: HealthRegistry
  let publicURL: String?

  func register(on router: Router<InletRequestContext>) {
    for method in [HTTPRequest.Method.get, .post, .put] {
      router.on("/hooks/:channel", method: method, use: handle)
      router.on("/hooks/:channel/**", method: method, use: handle)
    }
  }

  @Sendable func handle(_ request: Request, context: InletRequestContext) async throws -> Response {
    let name = context.parameters.get("channel") ?? ""
    guard let instance = channels.instance(named: name) else {
      CounterCache.shared.increment(
        "inlet_webhook_requests_total", [("channel", "_unknown"), ("status", "404")])
      throw APIError(
        .notFound, code: "unknown_channel",
        message: "no channel named `\(name)` is configured (see `channels:` in the config)")
    }
    var logger = context.logger
    logger[metadataKey: "inlet.channel"] = "\(name)"
    health.recordRequest(channel: name)
    do {
      let response = try await respond(
        request, context: context, instance: instance, logger: logger)
      count(name, response.status)
      return response
    } catch let error as APIError {
      count(name, error.status)
      throw error
    } catch let error as any HTTPResponseError {
      let translated = ErrorMiddleware<InletRequestContext>.translate(error.status)
      count(name, translated.status)
      throw translated
    }
  }

  private func respond(
    _ request: Request, context: InletRequestContext, instance: ChannelInstance, logger: Logger
  ) async throws -> Response {
    if let length = request.headers[.contentLength].flatMap(Int.init), length > context.maxBodyBytes
    {
      throw ErrorMiddleware<InletRequestContext>.translate(.contentTooLarge)
    }
    let buffer = try await request.body.collect(upTo: context.maxBodyBytes)
    var hookRequest = Self.hookRequest(
      request, context: context, body: Array(buffer.readableBytesView))
    if let publicURL {
      var base = publicURL
      while base.hasSuffix("/") { base.removeLast() }
      hookRequest.publicURL = base + request.uri.description
    }

    switch processor.process(hookRequest, for: instance) {
    case .reply(let reply, var replyContext):
      replyContext.callerName = await callerName(reply, replyContext)
      return try ReplyRenderer.response(reply, context: replyContext)
    case .unauthenticated(let reason):
      health.recordAuthFailure(channel: instance.name)
      CounterCache.shared.increment("inlet_auth_failures_total", [("channel", instance.name)])
      logger.warning(
        "webhook refused: authentication failed",
        metadata: ["reason": "\(reason)", "remote": "\(hookRequest.remoteAddress ?? "?")"])
      throw APIError(.unauthorized, code: "unauthorized", message: reason)
    case .refused(let failure):
      throw APIError(
        HTTPResponse.Status(code: failure.status), code: failure.code, message: failure.message)
    case .store(let submission):
      return try await store(submission, instance: instance, logger: logger)
    }
  }

  private func store(_ submission: RawSubmission, instance: ChannelInstance, logger: Logger)
    async throws -> Response
  {
    let result: IngestResult
    do {
      result = try await database.ingest(submission)
    } catch {
      health.recordFailure(channel: instance.name, error: "storage: \(error)")
      logger.error("could not store a webhook", metadata: ["error": "\(error)"])
      throw APIError(
        .serviceUnavailable, code: "storage_unavailable",
        message: "inlet could not store the request; nothing was acknowledged, retry later",
        headers: [.retryAfter: "5"])
    }
    health.recordSuccess(channel: instance.name)
    var context = submission.context
    context.callerName = await callerName(submission.replies.created, context)
    switch result {
    case .created(let inquiryID, let rawID):
      context.inquiryID = inquiryID
      context.rawID = rawID
      if case .inquiry(let inquiry) = submission.disposition {
        CounterCache.shared.increment(
          "inlet_inquiries_created_total",
          [("channel", instance.name), ("kind", inquiry.kind.rawValue)])
      }
      rawCounter(instance.name, .normalised)
      logger.info(
        "inquiry created", metadata: ["inquiry.id": "\(inquiryID)", "raw.id": "\(rawID)"])
      return try ReplyRenderer.response(submission.replies.created, context: context)
    case .updated(let inquiryID, let rawID):
      context.inquiryID = inquiryID
      context.rawID = rawID
      rawCounter(instance.name, .normalised)
      logger.debug(
        "inquiry updated", metadata: ["inquiry.id": "\(inquiryID)", "raw.id": "\(rawID)"])
      return try ReplyRenderer.response(submission.replies.created, context: context)
    case .duplicate(let inquiryID, let rawID, let status):
      context.inquiryID = inquiryID
      context.rawID = rawID
      CounterCache.shared.increment("inlet_duplicates_total", [("channel", instance.name)])
      switch status {
      case .quarantined:
        throw quarantined(submission, rawID: rawID, repeated: true)
      case .ignored:
        return try ReplyRenderer.response(submission.replies.ignored, context: context)
      default:
        return try ReplyRenderer.response(submission.replies.duplicate, context: context)
      }
    case .kept(let rawID, let status):
      context.rawID = rawID
      rawCounter(instance.name, status)
      if status == .quarantined {
        logger.warning("webhook quarantined", metadata: ["raw.id": "\(rawID)"])
        throw quarantined(submission, rawID: rawID, repeated: false)
      }
      // A recorded event that makes no inquiry (an outgoing call) is acknowledged like one that
      // does; only ignored inputs get the `ignored` reply.
      let reply = status == .normalised ? submission.replies.created : submission.replies.ignored
      return try ReplyRenderer.response(reply, context: context)
    }
  }

  /// Looks up the directory's name for the number a reply's `caller_phone` names; `nil` when
  /// the reply does not ask or nobody matches.
  private func callerName(_ reply: Reply, _ context: ReplyContext) async -> String? {
    guard let template = reply.callerPhone else { return nil }
    let raw = template.render(context.resolve)
    guard let phone = processor.phone.normalize(raw) else { return nil }
    return try? await database.callerName(phone: phone)
  }

  private func quarantined(_ submission: RawSubmission, rawID: String, repeated: Bool) -> APIError {
    guard case .quarantined(let failure, _) = submission.disposition else {
      return APIError(
        .badRequest, code: "quarantined",
        message: "this submission was kept as quarantined (raw item \(rawID))",
        details: ["raw_id": rawID])
    }
    return APIError(
      HTTPResponse.Status(code: failure.status), code: failure.code,
      message: failure.message, details: ["raw_id": rawID])
  }

  private func count(_ channel: String, _ status: HTTPResponse.Status) {
    CounterCache.shared.increment(
      "inlet_webhook_requests_total", [("channel", channel), ("status", String(status.code))])
  }

  private func rawCounter(_ channel: String, _ status: RawItemStatus) {
    CounterCache.shared.increment(
      "inlet_raw_items_total", [("channel", channel), ("status", status.rawValue)])
  }

  static func hookRequest(_ request: Request, context: InletRequestContext, body: [UInt8])
    -> HookRequest
  {
    let channelPrefix = "/hooks/\(context.parameters.get("channel") ?? "")"
    var subpath = request.uri.path
    if subpath.hasPrefix(channelPrefix) { subpath.removeFirst(channelPrefix.count) }
    let rawQuery = request.uri.query
    let query = rawQuery.flatMap { FormURLEncoding.parse($0) } ?? []
    let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
    return HookRequest(
      method: request.method.rawValue, subpath: subpath, query: query, rawQuery: rawQuery,
      headers: headers, body: body, remoteAddress: context.remoteAddress?.ipAddress)
  }
}
