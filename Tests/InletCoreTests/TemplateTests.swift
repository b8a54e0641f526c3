import Foundation
import Testing

@testable import InletCore

struct TemplateTests {
  /// A resolver over a fixed table keyed `namespace.key`.
  private static func render(_ source: String) -> String {
    let values = [
      "query.zd_echo": "abc", "field.call_id": "c-1", "field.event": "end",
      "inquiry.id": "42", "header.x-id": "h", "field.message.from.id": "777",
    ]
    return Template(source).render { values["\($0).\($1)"] }
  }

  @Test(arguments: [
    ("{{query.zd_echo}}", "abc"),
    ("{{field.call_id}}:{{field.event}}", "c-1:end"),
    ("id={{ inquiry.id }}!", "id=42!"),
    ("{{field.message.from.id}}", "777"),
    ("{{call_id}}", "c-1"),
    ("{{header.x-id}}{{header.x-id}}", "hh"),
  ])
  func placeholdersAreFilled(source: String, expected: String) {
    #expect(Self.render(source) == expected)
  }

  @Test(arguments: ["", "plain text", "ok", "{ \"json\": true }", "}} and {", "{single}"])
  func literalTextIsKept(_ source: String) {
    let template = Template(source)
    #expect(Self.render(source) == source)
    #expect(template.namespaces.isEmpty)
    #expect(template.source == source)
  }

  @Test(arguments: [
    ("{{inquiry.missing}}", ""),
    ("[{{secret.nope}}]", "[]"),
    ("a{{nothing}}b", "ab"),
    ("{{foo.bar}}", ""),
  ])
  func unknownPlaceholderRendersEmpty(source: String, expected: String) {
    #expect(Self.render(source) == expected)
  }

  @Test(arguments: [
    ("id {{inquiry.id", "id {{inquiry.id"),
    ("{{", "{{"),
    ("{{field.event}} and {{field.call_id", "end and {{field.call_id"),
  ])
  func unclosedPlaceholderStaysLiteral(source: String, expected: String) {
    #expect(Self.render(source) == expected)
  }

  @Test func namespacesAreReportedForValidation() {
    #expect(
      Template("{{query.a}}-{{field.b}}-{{call_id}}-{{foo.bar}}").namespaces
        == ["query", "field", "foo"])
    #expect(Template("{{inquiry.id}}").isSinglePlaceholder)
    #expect(!Template("#{{inquiry.id}}").isSinglePlaceholder)
  }

  @Test func replyContextResolvesEveryNamespace() {
    let request = HookRequest(
      method: "GET", query: [(name: "hub.challenge", value: "ch-1")],
      headers: [(name: "X-Request-Id", value: "r-9")])
    let context = ReplyContext(
      request: request, fields: .object(["msg": .object(["id": .number("5")])]),
      options: ["thank_you_url": "https://example.ru/thanks"],
      secrets: ChannelSecrets(["confirmation": "c0nf"]), inquiryID: "42", rawID: "7")
    let template = Template(
      "{{inquiry.id}}|{{raw.id}}|{{query.hub.challenge}}|{{header.x-request-id}}"
        + "|{{field.msg.id}}|{{option.thank_you_url}}|{{secret.confirmation}}|{{inquiry.other}}")
    #expect(template.render(context.resolve) == "42|7|ch-1|r-9|5|https://example.ru/thanks|c0nf|")
  }
}
