import Foundation

/// The position after the last entry of a page: the last inquiry's position (its id; in `new`,
/// a reopened inquiry's place from the same sequence) and the last raw-only item id shown. Both
/// are assigned in commit order, so an entry committed later always sorts after the cursor —
/// nothing is skipped or repeated while others insert.
///
/// Clients treat it as an opaque token.
public struct QueueCursor: Sendable, Equatable {
  public var inquiryID: Int64
  public var rawID: Int64

  public init(inquiryID: Int64 = 0, rawID: Int64 = 0) {
    self.inquiryID = inquiryID
    self.rawID = rawID
  }

  /// Parses a token from `next`; nil when it is not one.
  public init?(token: String) {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "q1", let inquiryID = Int64(parts[1]),
      let rawID = Int64(parts[2]), inquiryID >= 0, rawID >= 0
    else { return nil }
    self.init(inquiryID: inquiryID, rawID: rawID)
  }

  /// The token. Its shape is documented in the OpenAPI document only so that generated clients
  /// can validate it; clients must pass it back unchanged.
  public var token: String { "q1.\(inquiryID).\(rawID)" }
}
