import Foundation

/// A client (клиент) of the CRM: an organisation or a person the company sells to.
///
/// Ids are the CRM's. Values are normalised by ``DirectoryNormalizer`` before they are stored.
public struct DirectoryClient: Codable, Sendable, Equatable {
  public var id: String
  public var name: String?
  /// As the CRM sent it, even when its check digits are wrong (``innValid`` says so).
  public var inn: String?
  public var kpp: String?
  public var domains: [String]
  public var emails: [String]
  public var phones: [String]
  /// A potential client: created from an inquiry, requisites not filled in yet.
  public var potential: Bool
  /// A person (a private buyer, B2C), not an organisation: the client record's own e-mail,
  /// phone or INN is then the sender's own, and an inquiry from it is the client's, not a new
  /// contact's.
  public var person: Bool
  /// Whether ``inn`` passed the check-digit test; an invalid INN is kept but never matched.
  public var innValid: Bool?

  public init(
    id: String, name: String? = nil, inn: String? = nil, kpp: String? = nil,
    domains: [String] = [], emails: [String] = [], phones: [String] = [], potential: Bool = false,
    person: Bool = false, innValid: Bool? = nil
  ) {
    self.id = id
    self.name = name
    self.inn = inn
    self.kpp = kpp
    self.domains = domains
    self.emails = emails
    self.phones = phones
    self.potential = potential
    self.person = person
    self.innValid = innValid
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case id, name, inn, kpp, domains, emails, phones, potential, person
    case innValid = "inn_valid"
  }

  /// Lenient about what a CRM leaves out (missing lists, `null`), strict about types.
  public init(from decoder: any Decoder) throws {
    try decoder.rejectMisspeltKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(DirectoryID.self, forKey: .id).value
    name = try c.decodeIfPresent(String.self, forKey: .name)
    inn = try c.decodeIfPresent(DirectoryID.self, forKey: .inn)?.value
    kpp = try c.decodeIfPresent(DirectoryID.self, forKey: .kpp)?.value
    domains = try c.decodeIfPresent([String].self, forKey: .domains) ?? []
    emails = try c.decodeIfPresent([String].self, forKey: .emails) ?? []
    phones = try c.decodeIfPresent([String].self, forKey: .phones) ?? []
    potential = try c.decodeIfPresent(Bool.self, forKey: .potential) ?? false
    person = try c.decodeIfPresent(Bool.self, forKey: .person) ?? false
    innValid = try c.decodeIfPresent(Bool.self, forKey: .innValid)
  }
}
