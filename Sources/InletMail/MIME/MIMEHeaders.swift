/// One header field, unfolded, with its value still in raw bytes (decoding depends on the
/// field: addresses are parsed before their display names are decoded).
public struct MIMEHeaderField: Sendable, Equatable {
  /// The field name, lower-cased.
  public var name: String
  /// The unfolded value without the leading whitespace after the colon.
  public var value: [UInt8]

  /// Creates a field.
  public init(name: String, value: [UInt8]) {
    self.name = name
    self.value = value
  }
}

/// The header block of a message or body part.
public struct MIMEHeaders: Sendable, Equatable {
  /// Every field in order of appearance.
  public var fields: [MIMEHeaderField]

  /// Creates a header block.
  public init(fields: [MIMEHeaderField] = []) {
    self.fields = fields
  }

  /// The raw value of the first field named `name` (case-insensitive).
  public func raw(_ name: String) -> [UInt8]? {
    let key = name.lowercased()
    return fields.first { $0.name == key }?.value
  }

  /// The raw values of every field named `name`.
  public func all(_ name: String) -> [[UInt8]] {
    let key = name.lowercased()
    return fields.filter { $0.name == key }.map(\.value)
  }

  /// Whether a field named `name` is present.
  public func contains(_ name: String) -> Bool {
    raw(name) != nil
  }

  /// The first field named `name` as text: encoded words decoded, raw 8-bit bytes read by
  /// charset detection, whitespace runs collapsed and the ends trimmed.
  public func text(_ name: String) -> String? {
    raw(name).map { HeaderText.decode($0) }
  }
}
