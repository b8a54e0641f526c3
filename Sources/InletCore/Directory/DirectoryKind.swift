/// The three kinds of directory records, named as in the API paths and `--kind`.
public enum DirectoryKind: String, Sendable, CaseIterable, Codable {
  case clients
  case contacts
  case interests

  /// The `record_type` of ``DirectoryKey`` rows.
  public var recordType: String {
    switch self {
    case .clients: return "client"
    case .contacts: return "contact"
    case .interests: return "interest"
    }
  }
}
