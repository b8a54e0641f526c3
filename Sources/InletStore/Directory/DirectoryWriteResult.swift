/// What a directory write did.
public struct DirectoryWriteResult: Sendable, Equatable, Encodable {
  /// Records written, by kind (`clients`, `contacts`, `interests`).
  public var upserted: [String: Int] = [:]
  /// Records deleted (ids that were not there count as nothing to do), by kind.
  public var deleted: [String: Int] = [:]
  /// Still-`new` inquiries whose match changed.
  public var rematched = 0

  public init() {}
}
