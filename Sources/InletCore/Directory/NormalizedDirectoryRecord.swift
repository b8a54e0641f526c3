/// A directory record after ``DirectoryNormalizer``: the values to store and the keys to index.
public struct NormalizedDirectoryRecord: Sendable, Equatable {
  public var record: DirectoryRecord
  public var keys: [DirectoryKey]

  public init(record: DirectoryRecord, keys: [DirectoryKey]) {
    self.record = record
    self.keys = keys
  }
}
