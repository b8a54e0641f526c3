import Foundation
import Yams

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

extension Decoder {
  /// Throws at the first key that is one of `Keys` written another way (`clientId`,
  /// `Client_ID`, `email` for `emails`): the value meant for it would be ignored without a
  /// word. Keys that are nothing like a known one (a CRM's own `manager`, `created_at`) are
  /// left for the caller to ignore.
  public func rejectMisspeltKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
    guard let container = try? container(keyedBy: AnyCodingKey.self) else { return }
    func folded(_ key: String) -> String {
      var letters = String(
        key.lowercased().unicodeScalars.filter(CharacterSet.alphanumerics.contains))
      if letters.hasSuffix("s") { letters.removeLast() }
      return letters
    }
    let known = Keys.allCases.map(\.stringValue)
    let byFolded = Dictionary(known.map { (folded($0), $0) }) { first, _ in first }
    // In order of name, so the same body is always answered the same.
    let keys = container.allKeys.sorted { $0.stringValue < $1.stringValue }
    for key in keys where !known.contains(key.stringValue) {
      guard let meant = byFolded[folded(key.stringValue)] else { continue }
      throw DecodingError.dataCorruptedError(
        forKey: key, in: container,
        debugDescription: "unknown key `\(key.stringValue)`: did you mean `\(meant)`?")
    }
  }
}

/// Renders a decoding error as `key.path: problem`, the form `inlet check-config` prints: what
/// was expected in the reader's words rather than the decoder's (`Expected to decode Int but
/// found Scalar instead.`).
public enum DecodingProblem {
  public static func describe(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return "\(error)" }
    let (keyPath, message) = parts(error)
    return "\(keyPath): \(message)"
  }

  /// The key path and the problem. `found` tells what the input holds at a key path (the
  /// value quoted, or the kind of node; nil when nothing is there), for a type mismatch;
  /// without it the decoder's description says.
  public static func parts(
    _ error: DecodingError, found: (([any CodingKey]) -> String?)? = nil
  ) -> (keyPath: String, message: String) {
    switch error {
    case .typeMismatch(let type, let context):
      let got =
        if let found { found(context.codingPath).map { ", got \($0)" } ?? "" } else {
          " (\(context.debugDescription))"
        }
      return (path(context.codingPath), "expected \(expectation(type))\(got)")
    case .valueNotFound(let type, let context):
      return (path(context.codingPath), "expected \(expectation(type)), got nothing")
    case .keyNotFound(let key, let context):
      return (path(context.codingPath + [key]), "required key is missing")
    case .dataCorrupted(let context):
      // Yams wraps syntax errors here; its message carries the line and column.
      return (
        path(context.codingPath),
        context.underlyingError.map { "\(context.debugDescription) \($0)" }
          ?? context.debugDescription
      )
    @unknown default:
      return ("(top level)", "\(error)")
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

  /// What the decoder expected, as a reader would say it (Yams names its node types; JSON
  /// decoders the Swift ones).
  public static func expectation(_ type: Any.Type) -> String {
    switch type {
    case is Node.Sequence.Type: return "a list"
    case is Node.Mapping.Type: return "a section of `key: value` lines"
    case is Node.Scalar.Type: return "a single value"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    case is Int.Type, is Int64.Type, is UInt.Type, is UInt64.Type, is UInt32.Type, is Int32.Type:
      return "an integer"
    case is Double.Type: return "a number"
    case is [Any].Type: return "a list"
    case is [String: Any].Type: return "an object"
    default: return "a value of another kind"
    }
  }
}
