/// A coding key for any string, used to find keys a structure does not know.
public struct AnyCodingKey: CodingKey {
  public var stringValue: String
  public var intValue: Int?

  public init(stringValue: String) { self.stringValue = stringValue }
  public init(intValue: Int) {
    self.stringValue = String(intValue)
    self.intValue = intValue
  }
}

extension Decoder {
  /// Throws at the first key that `Keys` does not list, so a typo in a definition or the config
  /// (`feilds:`) is reported with its key path instead of being silently ignored.
  public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
    guard let container = try? container(keyedBy: AnyCodingKey.self) else { return }
    let known = Set(Keys.allCases.map(\.stringValue))
    for key in container.allKeys where !known.contains(key.stringValue) {
      let expected = known.sorted().joined(separator: ", ")
      throw DecodingError.dataCorruptedError(
        forKey: key, in: container,
        debugDescription: "unknown key `\(key.stringValue)` (expected one of: \(expected))")
    }
  }
}

/// Renders a decoding error as `key.path: problem`, the form `inlet check-config` prints.
public enum DecodingProblem {
  public static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)): expected \(typeName(type)) (\(context.debugDescription))"
    case .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): missing \(typeName(type))"
    case .keyNotFound(let key, let context):
      return "\(path(context.codingPath + [key])): required key is missing"
    case .dataCorrupted(let context):
      // Yams wraps syntax errors here; its message carries the line and column.
      if let underlying = context.underlyingError {
        return "\(path(context.codingPath)): \(context.debugDescription) \(underlying)"
      }
      return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
      return "\(error)"
    }
  }

  /// `channels[2].secrets.api_key_file`
  public static func path(_ keys: [any CodingKey]) -> String {
    var text = ""
    for key in keys {
      if let index = key.intValue {
        text += "[\(index)]"
      } else {
        text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
      }
    }
    return text.isEmpty ? "(top level)" : text
  }

  private static func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "a string"
    case is Int.Type: return "an integer"
    case is Bool.Type: return "true or false"
    default: return "\(type)"
    }
  }
}
