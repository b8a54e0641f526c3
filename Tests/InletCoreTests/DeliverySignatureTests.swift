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

  @Test("a header verifies against its body, secret and time only")
  func verify() {
    let body = Array(#"{"delivery_id":"1"}"#.utf8)
    let header = DeliverySignature.header(secret: "s3cret", timestamp: 1_764_400_000, body: body)
    let then = Date(timeIntervalSince1970: 1_764_400_060)
    #expect(header.hasPrefix("t=1764400000,v1="))
    #expect(DeliverySignature.verify(header: header, secret: "s3cret", body: body, now: then))
    #expect(!DeliverySignature.verify(header: header, secret: "other", body: body, now: then))
    #expect(
      !DeliverySignature.verify(header: header, secret: "s3cret", body: body + [0x20], now: then))
    #expect(!DeliverySignature.verify(header: "v1=abc", secret: "s3cret", body: body, now: then))
    // A captured request sent again an hour later is refused; without a tolerance it is not.
    let later = then.addingTimeInterval(3_600)
    #expect(!DeliverySignature.verify(header: header, secret: "s3cret", body: body, now: later))
    #expect(
      DeliverySignature.verify(
        header: header, secret: "s3cret", body: body, now: later, tolerance: nil))
  }
}
