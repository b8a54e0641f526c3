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
  /// `http.trusted_proxies`: peers whose `X-Forwarded-For` is believed.
  var trustedProxies: Set<String> = []
  let limiter = RateLimiter()

  func register(on router: Router<InletRequestContext>) {
    for method in [HTTPRequest.Method.get, .post, .put, .options] {
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
    let cors = CORSPolicy(origins: instance.corsOrigins)
    let origin = request.headers[.origin]
    if request.method == .options {
      return try preflight(request, cors: cors, origin: origin, channel: name)
    }
    health.recordRequest(channel: name)
    // Every answer to an allowed origin carries the CORS headers, errors included, so the
    // page's script can read why a submission failed.
    let corsHeaders = origin.flatMap { cors.allows($0) ? cors.headers(for: $0) : nil } ?? [:]
    do {
      var response = try await respond(
        request, context: context, instance: instance, logger: logger)
      count(name, response.status)
      for field in corsHeaders { response.headers[field.name] = field.value }
      return response
    } catch var error as APIError {
      count(name, error.status)
      for field in corsHeaders { error.headers[field.name] = field.value }
      throw error
    } catch let error as any HTTPResponseError {
      var translated = ErrorMiddleware<InletRequestContext>.translate(error.status)
      count(name, translated.status)
      for field in corsHeaders { translated.headers[field.name] = field.value }
      throw translated
    }
  }

  /// A CORS preflight: 204 with the allowances for a listed origin, 403 otherwise.
  private func preflight(_ request: Request, cors: CORSPolicy, origin: String?, channel: String)
    throws -> Response
  {
    guard let origin, cors.allows(origin) else {
      count(channel, .forbidden)
      throw APIError(
        .forbidden, code: "origin_not_allowed",
        message: "this origin may not post to the channel; list it in the channel's "
          + "options.cors_origins")
    }
    count(channel, .noContent)
    let requested = request.headers[.accessControlRequestHeaders]
    return Response(
      status: .noContent, headers: cors.preflightHeaders(for: origin, requestedHeaders: requested))
  }

  private func respond(
    _ request: Request, context: InletRequestContext, instance: ChannelInstance, logger: Logger
  ) async throws -> Response {
    let remote = ClientAddress.resolve(
      peer: context.remoteAddress?.ipAddress,
      // Every line: a proxy that adds its own line rather than extending the client's puts
      // the address it saw last.
      forwardedFor: ClientAddress.forwardedFor(request.headers),
      trusted: trustedProxies)
    // `allow_from`: a provider that publishes its addresses (Zadarma signs too few fields to
    // stop a replayed signature; Mango's requests carry no time) is heard only from them. It
    // is decided before the body is measured or read: a stranger's request costs no read.
    if let allowed = instance.allowFrom {
      guard let remote, allowed.contains(where: { $0.contains(remote) }) else {
        health.recordAuthFailure(
          channel: instance.name, reason: "not from an address in allow_from: \(remote ?? "?")")
        CounterCache.shared.increment("inlet_auth_failures_total", [("channel", instance.name)])
        logger.warning(
          "webhook refused: not from an address in the channel's allow_from",
          metadata: ["remote": "\(remote ?? "?")"])
        throw APIError(
          .forbidden, code: "source_not_allowed",
          message: "this channel takes requests only from the addresses in its "
            + "options.allow_from")
      }
    }
    // A token in a header or the URL is checked before the body is measured or read.
    var hookRequest = Self.hookRequest(
      request, context: context, body: [], legacy: instance.definition.body.legacyCharset)
    hookRequest.remoteAddress = remote
    if let reason = processor.refusalBeforeBody(hookRequest, for: instance) {
      throw refuseUnauthenticated(instance, reason: reason, remote: remote, logger: logger)
    }
    // A form that takes files may allow more than `http.max_body_bytes`.
    let limit = ChannelOptions.integer(instance.options["max_body_bytes"]) ?? context.maxBodyBytes
    if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
      throw ErrorMiddleware<InletRequestContext>.translate(.contentTooLarge)
    }
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: limit)
    } catch let error as any HTTPResponseError {
      throw error  // over the limit: 413
    } catch {
      // The client stopped sending (a closed connection, a cut upload): its error, not ours —
      // counted with the channel's 4xx, not logged as an internal error.
      throw APIError(
        .badRequest, code: "body_unreadable",
        message: "the request body could not be read to its end")
    }
    hookRequest.body = Array(buffer.readableBytesView)
    if let publicURL {
      var base = publicURL
      while base.hasSuffix("/") { base.removeLast() }
      hookRequest.publicURL = base + request.uri.description
    }

    let outcome = processor.process(hookRequest, for: instance)
    switch consume outcome {
    case .reply(let reply, var replyContext):
      // (A stored request says so through `recordSuccess`; one answered at once, here.)
      if replyContext.authenticated { health.recordAuthenticated(channel: instance.name) }
      replyContext.callerName = await callerName(reply, replyContext)
      return try ReplyRenderer.response(reply, context: replyContext)
    case .unauthenticated(let reason):
      throw refuseUnauthenticated(
        instance, reason: reason, remote: hookRequest.remoteAddress, logger: logger)
    case .refused(let failure):
      throw APIError(
        HTTPResponse.Status(code: failure.status), code: failure.code, message: failure.message)
    case .store(let submission):
      try await admit(
        instance, client: hookRequest.remoteAddress, keeping: [submission], logger: logger)
      return try await store(submission, instance: instance, logger: logger)
    case .storeAll(let parts):
      try await admit(instance, client: hookRequest.remoteAddress, keeping: parts, logger: logger)
      return try await storeAll(parts, instance: instance, logger: logger)
    }
  }

  /// Counts and logs a request that failed authentication; the error to answer it with.
  private func refuseUnauthenticated(
    _ instance: ChannelInstance, reason: String, remote: String?, logger: Logger
  ) -> APIError {
    health.recordAuthFailure(channel: instance.name, reason: reason)
    CounterCache.shared.increment("inlet_auth_failures_total", [("channel", instance.name)])
    // The first few of a minute per channel are logged; a flood of them is only counted.
    let throttled = limiter.admit(
      "\(instance.name):auth-failure-log", limit: Self.authFailuresLogged, bounded: false)
    if throttled == nil {
      logger.warning(
        "webhook refused: authentication failed",
        metadata: ["reason": "\(reason)", "remote": "\(remote ?? "?")"])
    } else if throttled?.refused == 1 {
      logger.warning(
        "webhook refused: authentication failed; more this minute are counted, not logged",
        metadata: ["reason": "\(reason)", "remote": "\(remote ?? "?")"])
    }
    return APIError(.unauthorized, code: "unauthorized", message: reason)
  }

  private func store(_ submission: RawSubmission, instance: ChannelInstance, logger: Logger)
    async throws -> Response
  {
    let result: IngestResult
    do {
      result = try await database.ingest(submission)
    } catch  where !StorageFailure.isTransient(error) && !submission.disposition.isQuarantined {
      // A failure the provider's retry would meet again (a call's stored record that no longer
      // reads, a constraint): answered 503 it would be retried for ever and never kept. It is
      // kept raw as quarantined instead, for `inlet replay` once the cause is fixed.
      logger.error(
        "could not store a webhook's inquiry; it is kept as quarantined",
        metadata: ["error": "\(error)"])
      var kept = submission
      kept.disposition = .quarantined(
        HookFailure(
          status: 500, code: "store_failed",
          message: "the input could not be stored as an inquiry; it was kept raw as quarantined"),
        partial: nil)
      // Recorded after the kept item's own success, so the channel shows the failure until a
      // later input is stored; not when keeping it failed too (that is a storage failure).
      do {
        let response = try await store(kept, instance: instance, logger: logger)
        health.recordFailure(channel: instance.name, error: "store_failed: \(error)")
        return response
      } catch let answer as APIError where answer.code != APIError.storageUnavailable.code {
        // (A kept item's answer is an error status: it is thrown.)
        health.recordFailure(channel: instance.name, error: "store_failed: \(error)")
        throw answer
      }
    } catch {
      health.recordFailure(channel: instance.name, error: HealthRegistry.storagePrefix + "\(error)")
      logger.error("could not store a webhook", metadata: ["error": "\(error)"])
      throw APIError.storageUnavailable
    }
    health.recordSuccess(channel: instance.name)
    var context = submission.context
    context.callerName = await callerName(submission.replies.created, context)
    switch result {
    case .created(let inquiryID, let rawID):
      context.inquiryID = inquiryID
      context.rawID = rawID
      switch submission.disposition {
      case .inquiry(let inquiry):
        CounterCache.shared.increment(
          "inlet_inquiries_created_total",
          [("channel", instance.name), ("kind", inquiry.kind.rawValue)])
      case .call:
        // Counted when the call's inquiry is created; whether it was missed is known only
        // when it ends.
        CounterCache.shared.increment(
          "inlet_inquiries_created_total",
          [("channel", instance.name), ("kind", InquiryKind.call.rawValue)])
      default: break
      }
      rawCounter(instance.name, .normalised)
      // Each lead is in the queue, the journal and the counters; a line per lead is for
      // debugging (at info it would cost a write to the journal for every webhook).
      logger.debug(
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
        return try quarantined(submission, rawID: rawID, context: context)
      case .ignored:
        return try ReplyRenderer.response(submission.replies.ignored, context: context)
      default:
        return try ReplyRenderer.response(submission.replies.duplicate, context: context)
      }
    case .kept(let rawID, let status):
      context.rawID = rawID
      rawCounter(instance.name, status)
      if case .ignored(let reason) = submission.disposition, reason.hasPrefix("spam:") {
        CounterCache.shared.increment("inlet_spam_total", [("channel", instance.name)])
        logger.info(
          "submission kept as spam", metadata: ["raw.id": "\(rawID)", "reason": "\(reason)"])
      }
      if status == .quarantined {
        logger.warning("webhook quarantined", metadata: ["raw.id": "\(rawID)"])
        return try quarantined(submission, rawID: rawID, context: context)
      }
      // A recorded event that makes no inquiry (an outgoing call) is acknowledged like one that
      // does; only ignored inputs get the `ignored` reply.
      let reply = status == .normalised ? submission.replies.created : submission.replies.ignored
      return try ReplyRenderer.response(reply, context: context)
    }
  }

  /// Stores every item of a batch before answering. A storage failure is answered 503 (the
  /// provider retries the batch; stored items are then duplicates); an item that is kept as
  /// quarantined does not hold up the others, and the answer is the first stored item's.
  private func storeAll(_ parts: [RawSubmission], instance: ChannelInstance, logger: Logger)
    async throws -> Response
  {
    var first: Response?
    var firstError: APIError?
    for part in parts {
      do {
        let response = try await store(part, instance: instance, logger: logger)
        if first == nil { first = response }
      } catch let error as APIError where error.status != .serviceUnavailable {
        if firstError == nil { firstError = error }
      }
    }
    if let first { return first }
    throw firstError ?? APIError(.badRequest, code: "empty_batch", message: "nothing to store")
  }

  /// Refused requests kept raw per channel and hour, whatever the addresses they came from;
  /// beyond this they are only counted, so a flood cannot fill the disk.
  static let refusalsKept = RateLimit(requests: 100, period: 3600)
  /// Authentication failures logged per channel and minute (all are counted).
  static let authFailuresLogged = RateLimit(requests: 10, period: 60)
  /// A refused request's body is kept up to this size (a form, a call event); a larger one
  /// (a form's uploaded files) is only counted and logged.
  static let refusalKeptBytes = 64 << 10

  /// The instance's rate limits (`rate_limit_per_ip`, `rate_limit`): a request over one is
  /// answered 429, counted in `inlet_rate_limited_total` and logged. It is kept raw as `ignored`
  /// with the reason `rate_limited` (the channel's first ``refusalsKept`` of an hour, each of
  /// at most ``refusalKeptBytes``; the rest are only counted) and without its idempotency key,
  /// so the client's retry with the same key is taken once the window has passed.
  private func admit(
    _ instance: ChannelInstance, client: String?,
    keeping submissions: @autoclosure () -> [RawSubmission], logger: Logger
  ) async throws {
    var checks: [(scope: String, key: String, limit: RateLimit)] = []
    if let limit = RateLimit(instance.options["rate_limit_per_ip"]), let client {
      checks.append(("ip", "\(instance.name):ip:\(ClientAddress.limitKey(client))", limit))
    }
    // The channel's budget is for what may be a lead: spam the honeypot or the fill time
    // already caught (a bot from many addresses) must not spend it and shut real visitors out.
    // It has a budget of its own, the same size, so a flood of it is still bounded.
    if let limit = RateLimit(instance.options["rate_limit"]) {
      let bucket = submissions().allSatisfy(\.isSpam) ? "spam" : "channel"
      checks.append(("channel", "\(instance.name):\(bucket)", limit))
    }
    for check in checks {
      guard
        let refusal = limiter.admit(check.key, limit: check.limit, bounded: check.scope == "ip")
      else { continue }
      // Refused for its rate, not its credentials: the channel's secret is right.
      health.recordAuthenticated(channel: instance.name)
      CounterCache.shared.increment(
        "inlet_rate_limited_total", [("channel", instance.name), ("scope", check.scope)])
      // One line per key and window: a flood is counted in full, but does not fill the log.
      if refusal.refused == 1 {
        logger.warning(
          "webhook refused: rate limited (further refusals of this window are counted, not logged)",
          metadata: ["scope": "\(check.scope)", "remote": "\(client ?? "?")"])
      }
      let kept = submissions().filter { $0.body.count <= Self.refusalKeptBytes }
      if !kept.isEmpty,
        limiter.admit("\(instance.name):kept-refusals", limit: Self.refusalsKept, bounded: false)
          == nil
      {
        for var submission in kept {
          submission.idempotencyKey = nil
          // What was read of it is kept with it: a manager may promote a refused real lead.
          if case .inquiry(let draft) = submission.disposition { submission.partial = draft }
          submission.disposition = .ignored(
            "rate_limited: over the channel's \(check.scope == "ip" ? "rate_limit_per_ip" : "rate_limit")"
              + " from \(client ?? "an unknown address")")
          do {
            _ = try await database.ingest(submission)
          } catch {
            logger.error("could not keep a rate-limited request", metadata: ["error": "\(error)"])
          }
        }
      }
      let retryAfter = Int(refusal.retryAfter)
      throw APIError(
        .tooManyRequests, code: "rate_limited",
        message: check.scope == "ip"
          ? "too many submissions from this address; retry in \(retryAfter) s"
          : "too many submissions to this channel; retry in \(retryAfter) s",
        headers: [.retryAfter: String(retryAfter)])
    }
  }

  /// Looks up the directory's name for the number a reply's `caller_phone` names; `nil` when
  /// the reply does not ask or nobody matches.
  private func callerName(_ reply: Reply, _ context: ReplyContext) async -> String? {
    guard let template = reply.callerPhone else { return nil }
    // A caller from abroad often comes as bare international digits (375…).
    let raw = template.render(context.resolve).trimmingCharacters(in: .whitespaces)
    guard let phone = processor.phone.normalizeOrInternational(raw) else { return nil }
    return try? await database.callerName(phone: phone)
  }

  /// The answer for an input kept as quarantined (new, or a repeat of one): the definition's
  /// `quarantined` reply where it has one (a messenger re-delivers a 4xx; the input is kept
  /// either way), else the failure itself with the raw id.
  private func quarantined(_ submission: RawSubmission, rawID: String, context: ReplyContext)
    throws -> Response
  {
    if let reply = submission.replies.quarantined {
      return try ReplyRenderer.response(reply, context: context)
    }
    guard case .quarantined(let failure, _) = submission.disposition else {
      throw APIError(
        .badRequest, code: "quarantined",
        message: "this submission was kept as quarantined (raw item \(rawID))",
        details: ["raw_id": rawID])
    }
    throw APIError(
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

  static func hookRequest(
    _ request: Request, context: InletRequestContext, body: [UInt8], legacy: LegacyCharset? = nil
  ) -> HookRequest {
    let channelPrefix = "/hooks/\(context.parameters.get("channel") ?? "")"
    var subpath = request.uri.path
    if subpath.hasPrefix(channelPrefix) { subpath.removeFirst(channelPrefix.count) }
    // A base URL pasted with a trailing slash (`…/hooks/mango/` + `/events/call`): the router
    // skips the empty segment, and so does the event's path.
    if zip(subpath.utf8, subpath.utf8.dropFirst()).contains(where: { $0 == 0x2F && $1 == 0x2F }) {
      subpath = "/" + subpath.split(separator: "/").joined(separator: "/")
      if request.uri.path.hasSuffix("/"), subpath != "/" { subpath += "/" }
    }
    let rawQuery = request.uri.query
    let query = rawQuery.map { FormURLEncoding.parseQuery($0, legacy: legacy) } ?? []
    let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
    return HookRequest(
      method: request.method.rawValue, subpath: subpath, query: query, rawQuery: rawQuery,
      headers: headers, body: body, remoteAddress: context.remoteAddress?.ipAddress)
  }
}
