// bare: a minimal Hummingbird 2 server used as the baseline in bench/webhook.sh.
//
//   bare --port N [--hop]
//
// Binds 127.0.0.1:N. `POST /hooks/site` and `POST /hooks/mango/events/summary`
// (the paths bench/webhook.sh's scenarios load), and via a catch-all every
// other path/method, collect the request body (up to 1 MiB) and answer 204 No
// Content. No auth, no parsing, no storage: whatever inlet costs on top of
// this is inlet's own work.
//
// With --hop (the `hop` target of bench/webhook.sh) each answer waits, as a durable handler's
// does, for a serial dispatch queue standing in for the SQLite writer (which does nothing), and
// is inlet's shape: 201 with a small JSON body. What that costs is the stack's price for
// answering after a commit on another thread, before any work of inlet's own.
import Dispatch
import Hummingbird
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

func parsePort(_ arguments: [String]) -> Int? {
  var iterator = arguments.dropFirst().makeIterator()
  while let argument = iterator.next() {
    if argument == "--port", let value = iterator.next() {
      return Int(value)
    }
    if argument.hasPrefix("--port=") {
      return Int(argument.dropFirst("--port=".count))
    }
  }
  return nil
}

guard let port = parsePort(CommandLine.arguments), (1...65535).contains(port) else {
  print("usage: bare --port N [--hop]")
  exit(64)
}
let hop = CommandLine.arguments.contains("--hop")
let writer = DispatchQueue(label: "bare.writer")
let lastID = Atomic<Int>(0)

@Sendable func collectAndAnswer(_ request: Request, _ context: BasicRequestContext) async throws
  -> Response
{
  _ = try await request.body.collect(upTo: 1 << 20)
  guard hop else { return Response(status: .noContent) }
  let id: Int = await withCheckedContinuation { continuation in
    writer.async { continuation.resume(returning: lastID.add(1, ordering: .relaxed).newValue) }
  }
  return Response(
    status: .created, headers: [.contentType: "application/json"],
    body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"id\":\"\(id)\"}")))
}

/// Catch-all: answers 204 for anything no route matched (any path, any method).
///
/// Router middleware wraps only the endpoints registered *after* it is added,
/// plus the router's not-found responder (built last). Added after the route,
/// it costs nothing on `POST /hooks/site` and turns every would-be 404 into
/// the same collect-and-204.
/// (A `**` route can't do this: the trie does not backtrack, so `/hooks/other`
/// would still 404 once `/hooks/site` exists.)
struct CatchAll<Context: RequestContext>: RouterMiddleware {
  func handle(
    _ request: Request,
    context: Context,
    next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let error as HTTPError where error.status == .notFound {
      _ = try await request.body.collect(upTo: 1 << 20)
      return Response(status: .noContent)
    }
  }
}

let router = Router()
router.post("/hooks/site", use: collectAndAnswer)
// A real route, not the catch-all: a not-found error per request would slow the baseline.
router.post("/hooks/mango/events/summary", use: collectAndAnswer)
router.add(middleware: CatchAll())

let app = Application(
  router: router,
  configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil)
)
try await app.runService()
