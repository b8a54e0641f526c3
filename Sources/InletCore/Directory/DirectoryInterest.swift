import Foundation

/// An interest (интерес): a sales opportunity of a client, open or closed.
public struct DirectoryInterest: Codable, Sendable, Equatable {
  public var id: String
  public var clientID: String?
  public var contactID: String?
  public var title: String?
  public var stage: String?
  public var status: Status
  public var updatedAt: Date?

  /// Only open interests are offered for `interaction_on_interest`.
  public enum Status: String, Codable, Sendable, CaseIterable {
    case open
    case closed
  }

  public init(
    id: String, clientID: String? = nil, contactID: String? = nil, title: String? = nil,
    stage: String? = nil, status: Status = .open, updatedAt: Date? = nil
  ) {
    self.id = id
    self.clientID = clientID
    self.contactID = contactID
    self.title = title
    self.stage = stage
    self.status = status
    self.updatedAt = updatedAt
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case id
    case clientID = "client_id"
    case contactID = "contact_id"
    case title, stage, status
    case updatedAt = "updated_at"
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectMisspeltKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(DirectoryID.self, forKey: .id).value
    clientID = try c.decodeIfPresent(DirectoryID.self, forKey: .clientID)?.value
    contactID = try c.decodeIfPresent(DirectoryID.self, forKey: .contactID)?.value
    title = try c.decodeIfPresent(String.self, forKey: .title)
    stage = try c.decodeIfPresent(String.self, forKey: .stage)
    let statusText = try c.decodeIfPresent(String.self, forKey: .status) ?? "open"
    guard let status = Status(rawValue: statusText.lowercased()) else {
      throw DecodingError.dataCorruptedError(
        forKey: .status, in: c, debugDescription: "`open` or `closed`, not `\(statusText)`")
    }
    self.status = status
    if let text = try c.decodeIfPresent(String.self, forKey: .updatedAt) {
      guard let date = DirectoryDate.parse(text) else {
        throw DecodingError.dataCorruptedError(
          forKey: .updatedAt, in: c,
          debugDescription: "`\(text)` is not a date (RFC 3339, YYYY-MM-DD or DD.MM.YYYY HH:MM:SS)")
      }
      updatedAt = date
    } else {
      updatedAt = nil
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encodeIfPresent(clientID, forKey: .clientID)
    try c.encodeIfPresent(contactID, forKey: .contactID)
    try c.encodeIfPresent(title, forKey: .title)
    try c.encodeIfPresent(stage, forKey: .stage)
    try c.encode(status, forKey: .status)
    try c.encodeIfPresent(updatedAt.map(DirectoryDate.format), forKey: .updatedAt)
  }
}
