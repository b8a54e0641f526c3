import Foundation
import InletMail
import InletTestSupport

/// Letters and clients for the IMAP tests against a real Dovecot.
enum IMAPTestHelpers {
  /// A small letter with CRLF line ends (Dovecot serves it byte-identical).
  static func letter(_ number: Int, body: String? = nil, bodyBytes: Int = 0) -> [UInt8] {
    var text =
      "From: Client \(number) <client\(number)@example.ru>\r\n"
      + "To: sales@example.ru\r\n"
      + "Subject: =?UTF-8?B?\(Data("Заявка №\(number)".utf8).base64EncodedString())?=\r\n"
      + "Message-ID: <letter-\(number)@example.ru>\r\n"
      + "Date: Thu, 7 Mar 2024 09:05:01 +0300\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=utf-8\r\n"
      + "Content-Transfer-Encoding: 8bit\r\n"
      + "\r\n"
      + (body ?? "Здравствуйте! Нужна консультация по заказу \(number).\r\n")
    if bodyBytes > 0 {
      let line = "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n"
      text += String(repeating: line, count: bodyBytes / line.utf8.count + 1)
    }
    return Array(text.utf8)
  }

  static func endpoint(
    _ server: DovecotServer, folder: String = "INBOX", user: String = "sales",
    password: String? = nil, timeout: Double = 10
  ) -> IMAPEndpoint {
    IMAPEndpoint(
      url: server.url(folder: folder), username: user,
      credential: .password(password ?? server.users[user] ?? ""), tls: .none, timeout: timeout)
  }

  static func connected(
    _ server: DovecotServer, folder: String = "INBOX", user: String = "sales"
  ) throws -> IMAPClient {
    let client = try IMAPClient(endpoint: endpoint(server, folder: folder, user: user))
    try client.connect()
    return client
  }

  static func fetchAll(_ client: IMAPClient, maxBytes: Int = 25 << 20, batch: Int = 200) throws
    -> [IMAPFetchedMessage]
  {
    var messages: [IMAPFetchedMessage] = []
    try client.fetch(uids: try client.uidSearchAll(), maxBytes: maxBytes, batch: batch) {
      messages.append($0)
    }
    return messages
  }
}
