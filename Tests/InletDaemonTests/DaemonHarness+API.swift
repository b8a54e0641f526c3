import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls of the CRM API used by the queue, stream and delivery tests.
extension DaemonHarness {
  /// A request to `/api/v1` with a bearer token and an optional JSON body.
  func api(
    _ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil,
    headers: [(String, String)] = [], timeout: TimeAmount = .seconds(10)
  ) async throws -> Reply {
    var all = headers
    all.append(("Authorization", "Bearer \(token ?? writeToken)"))
    if json != nil { all.append(("Content-Type", "application/json")) }
    return try await request(
      method, "/api/v1" + path, headers: all, body: json.map { Array($0.utf8) }, timeout: timeout)
  }

  /// A GET with the read token returning the body's exact bytes and the headers.
  func download(_ path: String) async throws -> (status: Int, bytes: [UInt8], headers: HTTPHeaders)
  {
    var request = HTTPClientRequest(url: baseURL + "/api/v1" + path)
    request.headers.add(name: "Authorization", value: "Bearer \(readToken)")
    let response = try await client.execute(request, timeout: .seconds(10))
    let buffer = try await response.body.collect(upTo: 16 << 20)
    return (Int(response.status.code), Array(buffer.readableBytesView), response.headers)
  }

  /// Posts a distinct lead and returns its inquiry id.
  func submitLead(_ n: Int, name: String = "Клиент") async throws -> String {
    let reply = try await postLead(
      #"{"name":"\#(name) \#(n)","email":"lead\#(n)@example.ru","message":"Заявка \#(n)"}"#,
      key: "lead-\(n)-\(UUID().uuidString)")
    guard reply.status == 201, let id = reply.json["id"] as? String else {
      throw HarnessError("lead \(n) was not created: \(reply.status) \(reply.body)")
    }
    return id
  }

  /// Every page of `GET /inquiries?<query>`, following `next`.
  func allPages(_ query: String, limit: Int = 7) async throws -> [[String: Any]] {
    var items: [[String: Any]] = []
    var after: String?
    repeat {
      var path = "/inquiries?limit=\(limit)" + (query.isEmpty ? "" : "&" + query)
      if let after { path += "&after=\(after)" }
      let reply = try await api(.GET, path, token: readToken)
      guard reply.status == 200 else { throw HarnessError("\(path): \(reply.body)") }
      items += reply.json["items"] as? [[String: Any]] ?? []
      after = reply.json["next"] as? String
    } while after != nil
    return items
  }
}
