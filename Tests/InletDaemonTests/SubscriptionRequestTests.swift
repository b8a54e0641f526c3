import Foundation
import InletCore
import Testing

@testable import InletDaemon

/// The subscription request a provider is sent (Beeline's PUT), as the daemon renders it.
struct SubscriptionRequestTests {
  @Test(
    "a token in the hook URL the provider is given reads back as itself",
    arguments: ["pbx-url-token", "a+b/c==", "with space&more#frag", "ключ?x=1"])
  func tokenInHookURL(token: String) throws {
    let url = DaemonHarness.repositoryRoot.appendingPathComponent("channels/beeline.yaml")
    let definition = try ChannelDefinitionLoader.parse(
      yaml: try String(contentsOf: url, encoding: .utf8), name: "beeline", file: url.path)
    let instance = ChannelInstance(
      name: "beeline", definition: definition,
      secrets: ChannelSecrets(["token": token, "api_token": "api+token"]),
      options: ["subscription_url": "https://portal.example/apis/subscription"])
    let spec = try #require(definition.subscription)
    let request = SubscriptionService.request(
      for: instance, spec: spec, publicURL: "https://leads.example.ru/")
    #expect(request.url == "https://portal.example/apis/subscription")
    // A header is no URL: the API token goes as it is.
    #expect(
      request.headers.contains { $0.name == "X-MPBX-API-AUTH-TOKEN" && $0.value == "api+token" })
    let bytes = try #require(request.body)
    let body = try #require(try ValueJSON.parse(bytes).object)
    let hook = try #require(body["url"]?.text)
    #expect(hook.hasPrefix("https://leads.example.ru/hooks/beeline?token="))
    // The provider calls that URL: the channel's own scheme must take the token in it.
    let mark = try #require(hook.firstIndex(of: "?"))
    let query = String(hook[hook.index(after: mark)...])
    let pairs = FormURLEncoding.parseQuery(query)
    #expect(pairs.map(\.name) == ["token"])
    #expect(pairs.first?.value == token)
    let call = HookRequest(
      method: "POST", query: pairs, rawQuery: query,
      headers: [(name: "Content-Type", value: "application/xml")],
      body: Array("<xsi:Event/>".utf8))
    if case .unauthenticated(let reason) = HookProcessor().process(call, for: instance) {
      Issue.record("the provider's call with the token refused: \(reason)")
    }
  }

  @Test("a template renders its query's values percent-encoded only when asked to")
  func queryEncoding() {
    let template = Template("{{option.base}}/x?a={{secret.s}}&b=c{{secret.s}}")
    let resolve: (String, String) -> String? = { namespace, _ in
      namespace == "option" ? "https://h.example/p q" : "1+2 3"
    }
    #expect(template.render(resolve) == "https://h.example/p q/x?a=1+2 3&b=c1+2 3")
    #expect(
      template.render(resolve, encodingQuery: true)
        == "https://h.example/p q/x?a=1%2B2%203&b=c1%2B2%203")
  }
}
