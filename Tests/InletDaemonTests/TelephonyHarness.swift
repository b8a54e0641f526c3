import Foundation
import GRDB
import InletCore
import InletStore

/// A daemon with one channel instance of every telephony definition, and helpers that sign
/// requests the way each provider does.
struct TelephonyHarness {
  let daemon: DaemonHarness
  static let mangoKey = "mango-key"
  static let mangoSalt = "mango-salt"
  static let zadarmaSecret = "zadarma-secret"
  static let twilioToken = "twilio-token"
  static let megafonKey = "megafon-crm-key"
  static let urlToken = "pbx-url-token"
  static let publicURL = "https://leads.example.ru"

  static let beelineAPIToken = "beeline-api-token"

  /// `beelineSubscription`: where the Beeline channel renews its subscription (by default a
  /// port nothing listens on: no test reaches out to Beeline).
  init(extraConfig: String = "", beelineSubscription: String = "http://127.0.0.1:9/unused") throws {
    let channels = """
        - { name: mango, definition: mango-office, secrets: { api_key_file: mango-key, api_salt_file: mango-salt } }
        - { name: zadarma, definition: zadarma, secrets: { secret_file: zadarma-secret } }
        - { name: novofon, definition: novofon, secrets: { secret_file: zadarma-secret }, options: { time_zone: "+05:00" } }
        - { name: megafon, definition: megafon, token_file: megafon-key }
        - { name: sipuni, definition: sipuni, token_file: url-token }
        - { name: beeline, definition: beeline, token_file: url-token, secrets: { api_token_file: beeline-api }, options: { subscription_url: "\(beelineSubscription)" } }
        - { name: telphin, definition: telphin, token_file: url-token }
        - { name: uis, definition: uis, token_file: url-token }
        - { name: cti, definition: generic-cti, token_file: url-token }
        - { name: twilio, definition: twilio, secrets: { auth_token_file: twilio-token } }
        - { name: zadarma-all, definition: zadarma, secrets: { secret_file: zadarma-secret }, options: { call_inquiries: [in, out] } }
        - { name: mango-short, definition: mango-office, secrets: { api_key_file: mango-key, api_salt_file: mango-salt }, options: { call_timeout: 2s } }
        - { name: mango-all, definition: mango-office, secrets: { api_key_file: mango-key, api_salt_file: mango-salt }, options: { call_inquiries: [in, out] } }
        - { name: sipuni-all, definition: sipuni, token_file: url-token, options: { call_inquiries: [in, out] } }
        - { name: cti-all, definition: generic-cti, token_file: url-token, options: { call_inquiries: [in, out] } }
        - { name: twilio-all, definition: twilio, secrets: { auth_token_file: twilio-token }, options: { call_inquiries: [in, out] } }
        - { name: telphin-all, definition: telphin, token_file: url-token, options: { call_inquiries: [in, out] } }
        - { name: uis-all, definition: uis, token_file: url-token, options: { call_inquiries: [in, out] } }
        - { name: zadarma-pinned, definition: zadarma, secrets: { secret_file: zadarma-secret }, options: { allow_from: ["185.45.152.42", "185.45.152.0/24"] } }
        - { name: zadarma-local, definition: zadarma, secrets: { secret_file: zadarma-secret }, options: { allow_from: ["127.0.0.0/8", "::1"] } }
      """
    daemon = try DaemonHarness(extraChannels: channels, extraConfig: extraConfig)
    let credentials = daemon.folder.appendingPathComponent("credentials")
    for (name, value) in [
      ("mango-key", Self.mangoKey), ("mango-salt", Self.mangoSalt),
      ("zadarma-secret", Self.zadarmaSecret), ("twilio-token", Self.twilioToken),
      ("megafon-key", Self.megafonKey), ("url-token", Self.urlToken),
      ("beeline-api", Self.beelineAPIToken),
    ] {
      try value.write(
        to: credentials.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    daemon.environment["INLET_HTTP_PUBLIC_URL"] = Self.publicURL
  }

  func database() throws -> InletDatabase { try InletDatabase(path: daemon.databasePath) }

  static func form(_ pairs: [(String, String)]) -> String {
    pairs.map { "\(FormURLEncoding.encode($0.0))=\(FormURLEncoding.encode($0.1))" }
      .joined(separator: "&")
  }

  func postForm(
    _ path: String, _ pairs: [(String, String)], headers: [(String, String)] = []
  ) async throws -> DaemonHarness.Reply {
    try await daemon.request(
      .POST, path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
      body: Array(Self.form(pairs).utf8))
  }

  /// A Mango event: form `vpbx_api_key`, `sign`, `json`.
  func mango(
    _ path: String, json: String, key: String = mangoKey, salt: String = mangoSalt,
    channel: String = "mango"
  ) async throws -> DaemonHarness.Reply {
    let sign = MangoSignScheme.sign(apiKey: key, json: json, salt: salt)
    return try await postForm(
      "/hooks/\(channel)\(path)", [("vpbx_api_key", key), ("sign", sign), ("json", json)])
  }

  /// A Zadarma event with its Signature header.
  func zadarma(
    _ pairs: [(String, String)], channel: String = "zadarma", secret: String = zadarmaSecret
  ) async throws -> DaemonHarness.Reply {
    let fields = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    let event = fields["event"] ?? ""
    let names = ZadarmaSignatureScheme.signedFields[event] ?? []
    let string = names.map { fields[$0] ?? "" }.joined()
    let signature = ZadarmaSignatureScheme.signature(string, secret: secret)
    return try await postForm("/hooks/\(channel)", pairs, headers: [("Signature", signature)])
  }

  /// A Twilio status callback signed over the public URL.
  func twilio(
    _ pairs: [(String, String)], token: String = twilioToken, channel: String = "twilio"
  ) async throws -> DaemonHarness.Reply {
    let signature = TwilioSignatureScheme.signature(
      url: Self.publicURL + "/hooks/\(channel)", parameters: pairs, token: token)
    return try await postForm(
      "/hooks/\(channel)", pairs, headers: [("X-Twilio-Signature", signature)])
  }

  /// The inquiries of a channel, oldest first.
  func inquiries(_ channel: String) throws -> [Inquiry] {
    try database().listSync(.all).filter { $0.channel == channel && !$0.id.hasPrefix("r") }
  }

  func rawCount(_ channel: String) throws -> Int {
    try database().readSync { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM raw_items WHERE channel = ?", arguments: [channel])
        ?? 0
    }
  }
}
