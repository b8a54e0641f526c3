extension InletConfig {
  /// `retention:` — how long the change feed's history is kept.
  public struct RetentionSection: Sendable, Decodable, Equatable {
    /// Events (`/api/v1/events`, the SSE stream) and their finished deliveries older than
    /// this are deleted; nil keeps them for ever (`0d`). The inquiries and raw items stay.
    public var events: Duration? = .seconds(180 * 86_400)

    init() {}
    enum CodingKeys: String, CodingKey, CaseIterable { case events }

    public init(from decoder: any Decoder) throws {
      try decoder.rejectUnknownKeys(CodingKeys.self)
      let c = try decoder.container(keyedBy: CodingKeys.self)
      guard let text = try c.decodeIfPresent(String.self, forKey: .events) else { return }
      guard let value = DurationText.parse(text) else {
        throw DecodingError.dataCorruptedError(
          forKey: .events, in: c,
          debugDescription: "a duration such as 90d or 12h (at most 366d), or 0d to keep them")
      }
      events = value == .zero ? nil : value
    }
  }
}
