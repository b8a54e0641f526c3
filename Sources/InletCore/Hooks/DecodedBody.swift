/// A webhook body turned into a value tree, plus any uploaded files.
public struct DecodedBody: Sendable {
  /// The fields: an object for forms, whatever the JSON was for JSON bodies.
  public var fields: Value
  /// Files of a multipart body.
  public var files: [UploadedFile]

  public init(fields: Value, files: [UploadedFile] = []) {
    self.fields = fields
    self.files = files
  }
}

/// A file part of a `multipart/form-data` body.
public struct UploadedFile: Sendable, Equatable {
  public var field: String
  public var filename: String
  public var contentType: String
  public var data: [UInt8]

  public init(field: String, filename: String, contentType: String, data: [UInt8]) {
    self.field = field
    self.filename = filename
    self.contentType = contentType
    self.data = data
  }
}
