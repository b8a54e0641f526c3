import Foundation
import Testing

@testable import InletMail

@Suite struct MailTargetTests {
  @Test func fixturesFolderIsBundled() throws {
    #expect(Bundle.module.url(forResource: "Fixtures", withExtension: nil) != nil)
  }
}
