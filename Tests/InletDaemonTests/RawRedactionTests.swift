import Foundation
import InletCore
import Testing

@testable import InletHTTP

/// What `GET /api/v1/raw/{id}` leaves out of a stored body.
struct RawRedactionTests {
  @Test("a stored body is served without any configured channel's secret, renamed or not")
  func secretsOfEveryChannel() throws {
    let definition = try ChannelDefinitionLoader.parse(
      yaml: "name: d\nauth: { scheme: vk-secret }\n", name: "d", file: "d.yaml")
    let channels = ChannelTable([
      ChannelInstance(
        name: "vk-sales", definition: definition,
        secrets: ChannelSecrets(["secret": "vk-secret-42", "confirmation": "c0nfirm"])),
      ChannelInstance(
        name: "megafon", definition: definition,
        secrets: ChannelSecrets(["token": "crm+key/77"])),
    ])
    // Stored when the VK channel was still called `vk`.
    let body = Data(
      #"{"type":"message_new","secret":"vk-secret-42","text":"crm+key/77 crm%2Bkey%2F77 hi"}"#
        .utf8)
    let served = String(
      decoding: ContentController.redacted(body, channels: channels), as: UTF8.self)
    #expect(!served.contains("vk-secret-42"), "\(served)")
    #expect(!served.contains("crm+key/77"), "\(served)")
    #expect(!served.contains("crm%2Bkey%2F77"), "\(served)")
    #expect(served.contains(#""secret":"[redacted]""#), "\(served)")
    #expect(served.contains("hi"))
  }
}
