import Foundation
import InletCore
import Testing

/// The `X-Inlet-Signature` header a CRM verifies.
@Suite("Delivery signature")
struct DeliverySignatureTests {
  @Test("is HMAC-SHA256 over \"<t>.<body>\" (value computed independently with Python's hmac)")
  func knownValue() {
    // python3 -c 'import hmac,hashlib; print(hmac.new(b"Jefe",
    //   b"1764400000.{\"delivery_id\":\"1\"}", hashlib.sha256).hexdigest())'
    let header = DeliverySignature.header(
      secret: "Jefe", timestamp: 1_764_400_000, body: Array(#"{"delivery_id":"1"}"#.utf8))
    #expect(
      header
        == "t=1764400000,v1=f84ee4ac97c49c39eac8d66f15af8d0983cde71440278fb91951d4d370fbaa84")
  }

  @Test("a header verifies against its body and secret only")
  func verify() {
    let body = Array(#"{"delivery_id":"1"}"#.utf8)
    let header = DeliverySignature.header(secret: "s3cret", timestamp: 1_764_400_000, body: body)
    #expect(header.hasPrefix("t=1764400000,v1="))
    #expect(DeliverySignature.verify(header: header, secret: "s3cret", body: body))
    #expect(!DeliverySignature.verify(header: header, secret: "other", body: body))
    #expect(!DeliverySignature.verify(header: header, secret: "s3cret", body: body + [0x20]))
    #expect(!DeliverySignature.verify(header: "v1=abc", secret: "s3cret", body: body))
  }
}
