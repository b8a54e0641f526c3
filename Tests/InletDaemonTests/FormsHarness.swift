import AsyncHTTPClient
import Foundation
import GRDB
import InletCore
import InletStore
import NIOCore
import NIOHTTP1

/// A daemon with an instance of every form and messenger definition, and helpers that send what
/// each provider sends (signed where the provider signs).
struct FormsHarness {
  let daemon: DaemonHarness
  static let formToken = "form-url-token"
  static let telegramSecret = "tg-secret-token"
  static let vkSecret = "vk-callback-secret"
  static let vkConfirmation = "c0nf1rm"
  static let whatsappSecret = "wa-app-secret"
  static let whatsappVerify = "wa-verify-token"
  static let thankYou = "https://shop.example.ru/thanks"
  static let origin = "https://shop.example.ru"

  init() throws {
    let channels = """
        - name: form
          definition: generic
          token_file: form-token
          options:
            thank_you_url: \(Self.thankYou)
            cors_origins: [\(Self.origin)]
            honeypot: website
            min_fill_seconds: 20
            max_file_bytes: 2000
            max_files: 2
            max_body_bytes: 200000
        - { name: uploads, definition: generic, token_file: form-token, options: { max_body_bytes: 3000000 } }
        - { name: per-ip, definition: generic, token_file: form-token, options: { rate_limit_per_ip: 2/1m, max_body_bytes: 200000 } }
        - { name: busy, definition: generic, token_file: form-token, options: { rate_limit: 3/1m } }
        - { name: relative, definition: generic, token_file: form-token, options: { thank_you_url: /spasibo } }
        - { name: relative-listed, definition: generic, token_file: form-token, options: { thank_you_url: /spasibo, cors_origins: ["\(Self.origin)"] } }
        - { name: guarded, definition: generic, token_file: form-token, options: { rate_limit: 3/1m, honeypot: website } }
        - { name: tilda, definition: tilda, token_file: form-token }
        - { name: elementor, definition: elementor, token_file: form-token }
        - { name: cf7, definition: contact-form-7, token_file: form-token }
        - { name: yandex, definition: yandex-forms, token_file: form-token }
        - { name: google, definition: google-forms, token_file: form-token }
        - { name: jivo, definition: jivo, token_file: form-token }
        - { name: telegram, definition: telegram, secrets: { secret_token_file: tg-secret } }
        - { name: vk, definition: vk, secrets: { secret_file: vk-secret, confirmation_file: vk-confirmation } }
        - { name: whatsapp, definition: whatsapp, secrets: { app_secret_file: wa-secret, verify_token_file: wa-verify } }
      """
    daemon = try DaemonHarness(maxBodyBytes: 65536, extraChannels: channels)
    let credentials = daemon.folder.appendingPathComponent("credentials")
    for (name, value) in [
      ("form-token", Self.formToken), ("tg-secret", Self.telegramSecret),
      ("vk-secret", Self.vkSecret), ("vk-confirmation", Self.vkConfirmation),
      ("wa-secret", Self.whatsappSecret), ("wa-verify", Self.whatsappVerify),
    ] {
      try value.write(
        to: credentials.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
  }

  func database() throws -> InletDatabase { try InletDatabase(path: daemon.databasePath) }

  /// Sends a request without following redirects (a browser's 303 is the answer under test).
  func raw(
    _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
  ) async throws -> DaemonHarness.Reply {
    let client = HTTPClient(
      eventLoopGroup: HTTPClient.defaultEventLoopGroup,
      configuration: .init(redirectConfiguration: .disallow))
    var request = HTTPClientRequest(url: daemon.baseURL + path)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    do {
      let response = try await client.execute(request, timeout: .seconds(10))
      let buffer = try await response.body.collect(upTo: 1 << 20)
      try await client.shutdown()
      return DaemonHarness.Reply(
        status: Int(response.status.code), body: String(buffer: buffer), headers: response.headers)
    } catch {
      try? await client.shutdown()
      throw error
    }
  }

  func postForm(
    _ path: String, _ pairs: [(String, String)], headers: [(String, String)] = []
  ) async throws -> DaemonHarness.Reply {
    try await raw(
      .POST, path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers,
      body: Array(TelephonyHarness.form(pairs).utf8))
  }

  func postJSON(_ path: String, _ json: String, headers: [(String, String)] = []) async throws
    -> DaemonHarness.Reply
  {
    try await raw(
      .POST, path, headers: [("Content-Type", "application/json")] + headers,
      body: Array(json.utf8))
  }

  /// A `multipart/form-data` body: text fields, then files `(field, filename, type, bytes)`.
  static func multipart(
    _ fields: [(String, String)], files: [(String, String, String, [UInt8])], boundary: String
  ) -> [UInt8] {
    var body: [UInt8] = []
    for (name, value) in fields {
      body += Array(
        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
          .utf8)
    }
    for (field, filename, type, data) in files {
      body += Array(
        ("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; "
          + "filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n").utf8)
      body += data + Array("\r\n".utf8)
    }
    body += Array("--\(boundary)--\r\n".utf8)
    return body
  }

  func telegram(_ json: String, secret: String = telegramSecret) async throws
    -> DaemonHarness.Reply
  {
    try await postJSON(
      "/hooks/telegram", json, headers: [("X-Telegram-Bot-Api-Secret-Token", secret)])
  }

  func whatsapp(_ json: String, secret: String = whatsappSecret) async throws
    -> DaemonHarness.Reply
  {
    let signature = HubSignature256Scheme.signature(Array(json.utf8), secret: secret)
    return try await postJSON(
      "/hooks/whatsapp", json, headers: [("X-Hub-Signature-256", signature)])
  }

  /// Every entry of a channel (inquiries, then ignored and quarantined raw items).
  func entries(_ channel: String) throws -> [Inquiry] {
    try database().listSync(.all).filter { $0.channel == channel }
  }

  func inquiries(_ channel: String) throws -> [Inquiry] {
    try entries(channel).filter { !$0.id.hasPrefix("r") }
  }

  func rawCount(_ channel: String) throws -> Int {
    try database().readSync { db in
      try Int.fetchOne(
        db, sql: "SELECT COUNT(*) FROM raw_items WHERE channel = ?", arguments: [channel]) ?? 0
    }
  }
}
