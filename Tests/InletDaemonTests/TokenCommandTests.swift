import Foundation
import Testing

@testable import InletDaemon

/// `oauth2_token_command`: its output is the token; a stuck command is killed, not waited on.
@Suite("OAuth2 token command")
struct TokenCommandTests {
  @Test("the trimmed standard output is the token; a failing or silent command is an error")
  func output() throws {
    #expect(try MailboxPoller.run("printf '  ya29.token\\n'") == "ya29.token")
    #expect(throws: MailboxError.self) { try MailboxPoller.run("exit 3") }
    #expect(throws: MailboxError.self) { try MailboxPoller.run("true") }
  }

  @Test("a command that does not finish is killed after the timeout")
  func stuck() throws {
    let started = ContinuousClock.now
    #expect {
      try MailboxPoller.run("sleep 600", timeout: 0.5)
    } throws: { error in
      "\(error)".contains("did not finish")
    }
    #expect(ContinuousClock.now - started < .seconds(5))
    // One that reads its standard input gets end-of-file, not a wait for a terminal.
    #expect(throws: MailboxError.self) { try MailboxPoller.run("read line", timeout: 5) }
  }
}
