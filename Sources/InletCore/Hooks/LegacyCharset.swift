import Foundation

/// A single-byte charset that form fields may arrive in instead of UTF-8.
public enum LegacyCharset: String, Sendable, Decodable {
  case windows1251 = "windows-1251"
  case cp1251

  /// The bytes as text in this charset (callers try UTF-8 first).
  public func decode(_ bytes: [UInt8]) -> String? {
    String(bytes: bytes, encoding: .windowsCP1251)
  }

  /// For ``FormURLEncoding/parse(_:decoding:)``: UTF-8 where the bytes are UTF-8, else this
  /// charset (one form may mix ASCII-only and Cyrillic fields).
  func decodeText(_ bytes: [UInt8]) -> String? {
    String(validating: bytes, as: UTF8.self) ?? decode(bytes)
  }
}
