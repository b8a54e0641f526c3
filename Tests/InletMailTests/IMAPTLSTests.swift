import Foundation
import InletMail
import InletTestSupport
import Testing

@Suite("IMAP over TLS against Dovecot with a self-signed certificate", .serialized)
struct IMAPTLSTests {
  private func endpoint(_ url: String, tls: IMAPTLSMode, caFile: String?) -> IMAPEndpoint {
    IMAPEndpoint(
      url: url, username: "sales", credential: .password("secret"), tls: tls, caFile: caFile,
      timeout: 10)
  }

  private func roundTrip(_ endpoint: IMAPEndpoint, _ server: DovecotServer) throws {
    let client = try IMAPClient(endpoint: endpoint)
    try client.connect()
    defer { client.logout() }
    let status = try client.select(endpoint.folder, readOnly: true)
    #expect(status.exists == 2)
    var bodies: [[UInt8]] = []
    try client.fetch(uids: try client.uidsAbove(0), maxBytes: 1 << 20, batch: 10) {
      bodies.append($0.bytes)
    }
    #expect(bodies == [IMAPTestHelpers.letter(1), IMAPTestHelpers.letter(2, bodyBytes: 100_000)])
  }

  private func isTLSError(_ error: any Error) -> Bool {
    if case .tls = error as? IMAPError { return true }
    return false
  }

  @Test("imaps:// with ca_file; without it the certificate is refused")
  func implicitTLS() throws {
    let server = try DovecotServer(tls: true)
    defer { server.cleanUp() }
    try server.dropLetters([
      IMAPTestHelpers.letter(1), IMAPTestHelpers.letter(2, bodyBytes: 100_000),
    ])
    try roundTrip(
      endpoint(server.imapsURL(), tls: .implicit, caFile: server.certificateFile), server)
    let untrusted = try IMAPClient(
      endpoint: endpoint(server.imapsURL(), tls: .implicit, caFile: nil))
    #expect(performing: { try untrusted.connect() }, throws: isTLSError)
  }

  @Test("imap:// with STARTTLS and ca_file; without it the certificate is refused")
  func startTLS() throws {
    let server = try DovecotServer(tls: true)
    defer { server.cleanUp() }
    try server.dropLetters([
      IMAPTestHelpers.letter(1), IMAPTestHelpers.letter(2, bodyBytes: 100_000),
    ])
    try roundTrip(
      endpoint(server.starttlsURL(), tls: .starttls, caFile: server.certificateFile), server)
    let untrusted = try IMAPClient(
      endpoint: endpoint(server.starttlsURL(), tls: .starttls, caFile: nil))
    #expect(performing: { try untrusted.connect() }, throws: isTLSError)
  }

  @Test("STARTTLS is required: a server without it is refused, not used in plain text")
  func startTLSRequired() throws {
    let server = try DovecotServer()
    defer { server.cleanUp() }
    let client = try IMAPClient(endpoint: endpoint(server.url(), tls: .starttls, caFile: nil))
    #expect(performing: { try client.connect() }, throws: isTLSError)
  }

  @Test("a wrong password over TLS is still an authentication error")
  func wrongPasswordOverTLS() throws {
    let server = try DovecotServer(tls: true)
    defer { server.cleanUp() }
    let client = try IMAPClient(
      endpoint: IMAPEndpoint(
        url: server.imapsURL(), username: "sales", credential: .password("nope"),
        caFile: server.certificateFile, timeout: 10))
    #expect(
      performing: { try client.connect() }, throws: { ($0 as? IMAPError)?.isAuthentication == true }
    )
  }
}
