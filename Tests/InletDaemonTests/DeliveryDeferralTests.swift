import Foundation
import Testing

@testable import InletDaemon

@Suite("Delivery deferrals")
struct DeliveryDeferralTests {
  @Test("a Retry-After spends no attempt during the delivery's first day, then it does")
  func bounded() {
    let created = Date(timeIntervalSince1970: 1_796_000_000)
    let hour = created.addingTimeInterval(3_600)
    let twoDays = created.addingTimeInterval(2 * 86_400)
    #expect(DeliveryService.counts(retryAfter: nil, createdAt: created, now: hour))
    #expect(!DeliveryService.counts(retryAfter: 120, createdAt: created, now: hour))
    #expect(!DeliveryService.counts(retryAfter: 0, createdAt: created, now: hour))
    #expect(DeliveryService.counts(retryAfter: 120, createdAt: created, now: twoDays))
  }
}
