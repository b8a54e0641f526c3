import Foundation
import InletHTTP
import NIOHTTP1
import Testing

/// The OpenAPI document: the repository's file, the embedded copy and what the daemon serves.
@Suite("OpenAPI document", .serialized)
struct OpenAPIDocumentTests {
  static var repositoryFile: String {
    get throws {
      try String(
        contentsOf: DaemonHarness.repositoryRoot.appendingPathComponent("openapi/inlet.yaml"),
        encoding: .utf8)
    }
  }

  @Test("the embedded document is openapi/inlet.yaml byte for byte (run scripts/generate-openapi)")
  func embeddedMatchesRepository() throws {
    #expect(OpenAPIDocument.yaml == (try Self.repositoryFile))
  }

  @Test("the daemon serves it without a token, and every documented route answers")
  func servedAndRoutesExist() async throws {
    let daemon = try DaemonHarness()
    defer { daemon.remove() }
    try await daemon.start()
    let served = try await daemon.request(.GET, "/api/v1/openapi.yaml")
    #expect(served.status == 200)
    #expect(served.headers.first(name: "content-type")?.hasPrefix("application/yaml") == true)
    #expect(served.body == (try Self.repositoryFile))

    // Each documented GET of the API exists (401 without a token, not 404 or 405).
    for path in [
      "/api/v1/inquiries", "/api/v1/inquiries/1", "/api/v1/raw/1", "/api/v1/attachments/1",
      "/api/v1/deliveries", "/api/v1/inquiries/stream", "/api/v1/directory/clients/1",
    ] {
      #expect(try await daemon.request(.GET, path).status == 401, "\(path)")
    }
    for path in [
      "/api/v1/inquiries/1/accept", "/api/v1/inquiries/1/reject", "/api/v1/inquiries/1/merge",
      "/api/v1/deliveries/1/retry", "/api/v1/directory/batch",
    ] {
      #expect(try await daemon.request(.POST, path).status == 401, "\(path)")
    }
    for method in [HTTPMethod.PUT, .DELETE] {
      let path = "/api/v1/directory/contacts/1"
      #expect(try await daemon.request(method, path).status == 401, "\(method) \(path)")
    }
    // A documented path with an undocumented method is 405 with Allow; an unknown path is 404.
    let wrongMethod = try await daemon.request(.DELETE, "/api/v1/inquiries/1")
    #expect(wrongMethod.status == 405)
    #expect(wrongMethod.headers.first(name: "allow") == "GET")
    #expect(wrongMethod.errorCode == "method_not_allowed")
    #expect(try await daemon.request(.GET, "/api/v1/nothing-here").status == 404)
    #expect(try await daemon.request(.GET, "/nothing-here").status == 404)
  }
}
