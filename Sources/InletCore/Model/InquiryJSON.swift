import Foundation

/// The one JSON encoding of inquiries used by the API, the CLI and the store.
public enum InquiryJSON {
  /// An encoder with RFC 3339 dates and stable key order.
  public static func encoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting =
      pretty
      ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
      : [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// The matching decoder.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }

  /// An inquiry as the store keeps it (a document written by ``Inquiry/jsonBytes``). `extra`
  /// keeps its numbers as written (`1500.50`, a reference beyond 64 bits): `JSONDecoder`
  /// reads them through `Double`, so where that may have changed one, `extra` is read again
  /// with ``ValueJSON``.
  public static func decodeStored(_ text: String) throws -> Inquiry {
    var inquiry = try decoder().decode(Inquiry.self, from: Data(text.utf8))
    if inquiry.extra.values.contains(where: \.mayHaveLostItsNumberText),
      case .object(let members)? = try? ValueJSON.parse(Array(text.utf8)),
      case .object(let extra)? = members["extra"]
    {
      inquiry.extra = extra
    }
    return inquiry
  }
}

extension Value {
  /// Whether this value holds a number `JSONDecoder` read through `Double` (a fraction, an
  /// exponent, beyond 64 bits), whose written form it may not have kept.
  fileprivate var mayHaveLostItsNumberText: Bool {
    switch self {
    case .number(let text): return Int64(text) == nil && UInt64(text) == nil
    case .array(let items): return items.contains(where: \.mayHaveLostItsNumberText)
    case .object(let members): return members.values.contains(where: \.mayHaveLostItsNumberText)
    default: return false
    }
  }
}
