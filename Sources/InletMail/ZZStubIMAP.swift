// TEMPORARY STAND-IN written by the integrator so the daemon compiles before the real IMAP client API (IMAPClient, IMAPEndpoint, ...) lands.
// Whoever lands the real IMAP client: DELETE THIS FILE in the same change.
import Foundation
public enum IMAPCredential: Sendable { case password(String), xoauth2(token: String) }
public enum IMAPTLSMode: Sendable { case implicit, starttls, none }
public struct IMAPEndpoint: Sendable {
  public init(url: String, username: String, credential: IMAPCredential, tls: IMAPTLSMode, caFile: String?, timeout: Double) throws {}
}
public struct IMAPFolderStatus: Sendable { public var uidValidity: UInt32; public var uidNext: UInt32?; public var exists: Int }
public struct IMAPFetchedMessage: Sendable { public var uid: UInt32; public var size: Int; public var internalDate: Date?; public var bytes: [UInt8]; public var headersOnly: Bool }
public enum IMAPError: Error { case closed }
public final class IMAPClient: @unchecked Sendable {
  public init(endpoint: IMAPEndpoint) throws {}
  public func connect() throws {}
  public var capabilities: Set<String> { [] }
  public func select(_ folder: String, readOnly: Bool) throws -> IMAPFolderStatus { fatalError() }
  public func uidSearchAll() throws -> [UInt32] { [] }
  public func uidSearch(since: Date) throws -> [UInt32] { [] }
  public func uidsAbove(_ uid: UInt32) throws -> [UInt32] { [] }
  public func fetch(uids: [UInt32], maxBytes: Int, batch: Int, handler: (IMAPFetchedMessage) throws -> Void) throws {}
  public func markSeen(uids: [UInt32]) throws {}
  public func move(uids: [UInt32], to folder: String) throws {}
  public func idle(timeout: Double, shouldStop: () -> Bool) throws -> Bool { false }
  public func logout() {}
}
