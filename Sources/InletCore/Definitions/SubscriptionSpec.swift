import Foundation

/// A provider subscription the daemon renews on its own (`subscription:`): the request and how
/// often. Its templates read `{{secret.…}}`, `{{option.…}}` and `{{hook.url}}` (the
/// channel's public hook: `http.public_url` + `/hooks/<channel>`).
public struct SubscriptionSpec: Sendable, Decodable {
  public var method: String
  public var url: Template
  public var headers: [String: Template]
  public var json: JSONTemplate?
  /// Seconds between renewals.
  public var every: Double

  /// The namespaces a subscription's templates may read.
  public static let namespaces: Set<String> = ["secret", "option", "hook"]

  enum CodingKeys: String, CodingKey, CaseIterable { case method, url, headers, json, every }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    method = (try c.decodeIfPresent(String.self, forKey: .method) ?? "PUT").uppercased()
    guard ["PUT", "POST", "PATCH"].contains(method) else {
      throw DecodingError.dataCorruptedError(
        forKey: .method, in: c, debugDescription: "PUT, POST or PATCH")
    }
    let urlText = try c.decode(String.self, forKey: .url)
    url = Template(urlText)
    headers = try (c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:])
      .mapValues(Template.init)
    json = try c.decodeIfPresent(Value.self, forKey: .json).map(JSONTemplate.init)
    let everyValue = try c.decodeIfPresent(Value.self, forKey: .every) ?? .string("12h")
    guard let seconds = ChannelOptions.duration(everyValue), seconds >= 60 else {
      throw DecodingError.dataCorruptedError(
        forKey: .every, in: c, debugDescription: "a duration of a minute or more, such as 12h")
    }
    every = seconds
  }

  /// Every template with its key path, for validation (`json` strings included).
  public var templates: [(Template, String)] {
    [(url, "subscription.url")]
      + headers.map { ($0.value, "subscription.headers.\($0.key)") }
      + (json?.templates(at: "subscription.json") ?? [])
  }

  /// Whether a template reads the channel's public hook URL (`http.public_url` is needed).
  public var needsPublicURL: Bool {
    templates.contains { !$0.0.keys(namespace: "hook").isEmpty }
  }
}
