import Foundation

/// One value of an untagged response: an atom (numbers are atoms too), a quoted string or a
/// literal (both as their bytes), a parenthesized list, or NIL.
enum IMAPValue: Equatable {
  case atom(String)
  case string([UInt8])
  case list([IMAPValue])
  case none

  var atom: String? {
    if case .atom(let text) = self { return text }
    return nil
  }

  var number: UInt64? {
    guard case .atom(let text) = self, !text.isEmpty, text.utf8.count <= 19 else { return nil }
    var value: UInt64 = 0
    for byte in text.utf8 {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
    }
    return value
  }

  var uid: UInt32? {
    guard let number, number > 0, number <= UInt64(UInt32.max) else { return nil }
    return UInt32(number)
  }

  /// An atom, quoted string or literal as text (UTF-8, invalid bytes replaced).
  var text: String? {
    switch self {
    case .atom(let text): return text
    case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
    default: return nil
    }
  }

  var list: [IMAPValue]? {
    if case .list(let values) = self { return values }
    return nil
  }
}

enum IMAPStatus: Equatable {
  case ok
  case no
  case bad
  case bye
  case preauth

  init?(_ keyword: String) {
    switch keyword.uppercased() {
    case "OK": self = .ok
    case "NO": self = .no
    case "BAD": self = .bad
    case "BYE": self = .bye
    case "PREAUTH": self = .preauth
    default: return nil
    }
  }
}

/// The rest of a status response: `[CODE args] text`.
struct IMAPStatusText: Equatable {
  var status: IMAPStatus
  var code: String?
  var text: String

  /// "text" or "[CODE] text", as reported in errors.
  var message: String {
    guard let code else { return text }
    return "[\(code)] \(text)"
  }

  /// The number after a response code such as `UIDVALIDITY 3857529045`.
  func codeNumber(_ name: String) -> UInt64? {
    guard let code else { return nil }
    let parts = code.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].uppercased() == name else { return nil }
    return IMAPValue.atom(String(parts[1])).number
  }
}

enum IMAPResponse: Equatable {
  /// `tag OK|NO|BAD [code] text`
  case tagged(String, IMAPStatusText)
  /// `* OK|NO|BAD|BYE|PREAUTH [code] text`
  case status(IMAPStatusText)
  /// `* n KEYWORD values` (EXISTS, RECENT, EXPUNGE, FETCH); the keyword upper-cased.
  case numbered(UInt32, String, [IMAPValue])
  /// `* KEYWORD values` (CAPABILITY, SEARCH, LIST, FLAGS, ...); the keyword upper-cased.
  case data(String, [IMAPValue])
  /// `* n FETCH (...)`, read by the fast path into the items the client uses.
  case fetch(IMAPFetchFields)
  /// `+ text`
  case continuation(String)
}

/// The items of a FETCH response the client asks for; others (FLAGS, ...) are skipped.
struct IMAPFetchFields: Equatable {
  var sequence: UInt32
  var uid: UInt32?
  var size: Int?
  var internalDate: Date?
  /// `BODY[]` or `BODY[HEADER]` (NIL as empty, and ``bodyNil`` set).
  var body: [UInt8]?
  var headersOnly = false
  /// The server answered the body `NIL`: it would not give the letter.
  var bodyNil = false
}
