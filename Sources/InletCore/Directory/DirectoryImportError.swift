/// Why a directory file or one of its rows could not be imported, in words for the operator.
public struct DirectoryImportError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
