import Foundation

/// A contact person (контактное лицо), usually at a client.
public struct DirectoryContact: Codable, Sendable, Equatable {
  public var id: String
  public var clientID: String?
  public var name: String?
  public var emails: [String]
  public var phones: [String]
  /// `network:id` (`telegram:123456`); JSON may also send `{"network", "id"}` objects.
  public var messengers: [String]

  public init(
    id: String, clientID: String? = nil, name: String? = nil, emails: [String] = [],
    phones: [String] = [], messengers: [String] = []
  ) {
    self.id = id
    self.clientID = clientID
    self.name = name
    self.emails = emails
    self.phones = phones
    self.messengers = messengers
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case id
    case clientID = "client_id"
    case name, emails, phones, messengers
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectMisspeltKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(DirectoryID.self, forKey: .id).value
    clientID = try c.decodeIfPresent(DirectoryID.self, forKey: .clientID)?.value
    name = try c.decodeIfPresent(String.self, forKey: .name)
    emails = try c.decodeIfPresent([String].self, forKey: .emails) ?? []
    phones = try c.decodeIfPresent([String].self, forKey: .phones) ?? []
    messengers = try c.decodeIfPresent([MessengerEntry].self, forKey: .messengers)?.map(\.key) ?? []
  }

  /// A messenger id as `network:id` text or as an object.
  private struct MessengerEntry: Decodable {
    var key: String

    private enum Keys: String, CodingKey { case network, id }

    init(from decoder: any Decoder) throws {
      if let text = try? decoder.singleValueContainer().decode(String.self) {
        key = text
        return
      }
      let c = try decoder.container(keyedBy: Keys.self)
      let network = try c.decode(String.self, forKey: .network)
      let id = try c.decode(DirectoryID.self, forKey: .id).value
      key = "\(network):\(id)"
    }
  }
}
