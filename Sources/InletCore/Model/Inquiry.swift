import Foundation

/// One inbound lead (обращение): who, how to reach them, what they want, from which channel.
///
/// The JSON shape is the API contract of design.md ("Inquiry JSON"); keys are snake_case.
public struct Inquiry: Codable, Sendable, Equatable {
  /// The queue id (decimal string); raw-only entries use `r<raw id>`.
  public var id: String
  public var status: String
  public var channel: String
  public var kind: InquiryKind
  public var receivedAt: Date
  public var subject: String?
  public var text: String?
  public var sender: Sender
  public var company: Company?
  public var attachments: [Attachment]
  public var extra: [String: Value]
  public var call: Call?
  /// The company's outgoing calls to the sender's number after this inquiry came (a missed
  /// call, a «перезвоните мне» form called back), oldest first; nil until there is one.
  public var callbacks: [Callback]?
  public var messages: [Message]
  public var returning: Bool
  public var thread: Thread?
  public var match: Match
  public var source: Source
  public var acceptance: Acceptance?
  /// Why a raw item was ignored or quarantined (raw-only entries).
  public var reason: String?

  public init(
    id: String = "", status: String = InquiryStatus.new.rawValue, channel: String,
    kind: InquiryKind, receivedAt: Date, subject: String? = nil, text: String? = nil,
    sender: Sender = Sender(), company: Company? = nil, attachments: [Attachment] = [],
    extra: [String: Value] = [:], call: Call? = nil, callbacks: [Callback]? = nil,
    messages: [Message] = [],
    returning: Bool = false, thread: Thread? = nil, match: Match = Match(),
    source: Source = Source(), acceptance: Acceptance? = nil, reason: String? = nil
  ) {
    self.id = id
    self.status = status
    self.channel = channel
    self.kind = kind
    self.receivedAt = receivedAt
    self.subject = subject
    self.text = text
    self.sender = sender
    self.company = company
    self.attachments = attachments
    self.extra = extra
    self.call = call
    self.callbacks = callbacks
    self.messages = messages
    self.returning = returning
    self.thread = thread
    self.match = match
    self.source = source
    self.acceptance = acceptance
    self.reason = reason
  }

  enum CodingKeys: String, CodingKey {
    case id, status, channel, kind
    case receivedAt = "received_at"
    case subject, text, sender, company, attachments, extra, call, callbacks, messages, returning
    case thread
    case match, source, acceptance, reason
  }

  /// The person who wrote or called.
  public struct Sender: Codable, Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var messenger: Messenger?

    public init(
      name: String? = nil, email: String? = nil, phone: String? = nil, messenger: Messenger? = nil
    ) {
      self.name = name
      self.email = email
      self.phone = phone
      self.messenger = messenger
    }

    /// Whether any way to reach the sender is known.
    public var hasContact: Bool { email != nil || phone != nil || messenger?.id != nil }
  }

  /// A messenger identity (`telegram`, `vk`, `whatsapp`, …).
  public struct Messenger: Codable, Sendable, Equatable {
    public var network: String
    public var id: String?
    public var username: String?

    public init(network: String, id: String? = nil, username: String? = nil) {
      self.network = network
      self.id = id
      self.username = username
    }
  }

  /// The organisation the sender named.
  public struct Company: Codable, Sendable, Equatable {
    public var name: String?
    public var inn: String?

    public init(name: String? = nil, inn: String? = nil) {
      self.name = name
      self.inn = inn
    }
  }

  /// A file that came with the inquiry.
  public struct Attachment: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var contentType: String
    public var size: Int

    public init(id: String, name: String, contentType: String, size: Int) {
      self.id = id
      self.name = name
      self.contentType = contentType
      self.size = size
    }

    enum CodingKeys: String, CodingKey {
      case id, name
      case contentType = "content_type"
      case size
    }
  }

  /// An outgoing call to the sender's number (``Inquiry/callbacks``).
  public struct Callback: Codable, Sendable, Equatable {
    /// The channel instance and the provider's id of the call.
    public var channel: String
    public var callID: String
    /// When the call started, by the provider's clock.
    public var at: Date
    /// Whether the sender picked up.
    public var answered: Bool
    public var employee: String?
    public var durationS: Int?

    public init(
      channel: String, callID: String, at: Date, answered: Bool, employee: String? = nil,
      durationS: Int? = nil
    ) {
      self.channel = channel
      self.callID = callID
      self.at = at
      self.answered = answered
      self.employee = employee
      self.durationS = durationS
    }

    enum CodingKeys: String, CodingKey {
      case channel
      case callID = "call_id"
      case at, answered, employee
      case durationS = "duration_s"
    }
  }

  /// The telephony part of a call inquiry.
  public struct Call: Codable, Sendable, Equatable {
    public var direction: String?
    public var durationS: Int?
    public var recordingURL: String?
    public var employee: String?
    public var did: String?
    /// When the call started, by the provider's clock (a retried event arrives later).
    public var startedAt: Date?

    public init(
      direction: String? = nil, durationS: Int? = nil, recordingURL: String? = nil,
      employee: String? = nil, did: String? = nil, startedAt: Date? = nil
    ) {
      self.direction = direction
      self.durationS = durationS
      self.recordingURL = recordingURL
      self.employee = employee
      self.did = did
      self.startedAt = startedAt
    }

    enum CodingKeys: String, CodingKey {
      case direction
      case durationS = "duration_s"
      case recordingURL = "recording_url"
      case employee, did
      case startedAt = "started_at"
    }
  }

  /// A continuation appended to the inquiry (a reply, another chat message).
  public struct Message: Codable, Sendable, Equatable {
    public var receivedAt: Date
    public var text: String?
    public var rawID: String

    public init(receivedAt: Date, text: String?, rawID: String) {
      self.receivedAt = receivedAt
      self.text = text
      self.rawID = rawID
    }

    enum CodingKeys: String, CodingKey {
      case receivedAt = "received_at"
      case text
      case rawID = "raw_id"
    }
  }

  /// The earlier inquiry this one continues.
  public struct Thread: Codable, Sendable, Equatable {
    public var inquiryID: String

    public init(inquiryID: String) { self.inquiryID = inquiryID }

    enum CodingKeys: String, CodingKey { case inquiryID = "inquiry_id" }
  }

  /// What the directory said about the sender, and the suggested acceptance outcome.
  public struct Match: Codable, Sendable, Equatable {
    public var clientID: String?
    public var contactID: String?
    public var interestIDs: [String]
    public var by: [String]
    public var conflicts: [String]
    public var suggestedAction: SuggestedAction
    public var potentialClient: Bool
    /// When the evidence named several clients and none could be chosen (an INN shared by a
    /// head office and its branch, an e-mail on contacts of two clients): each of them, with
    /// its contact where one matched, for the manager to pick from. Empty otherwise.
    public var candidates: [Candidate]
    /// When the client comes not from the directory but from a manager's acceptance of another
    /// inquiry from the same sender (the CRM has not written that client to the directory
    /// yet): that inquiry's id. Nil for a directory match.
    public var acceptedInquiryID: String?

    /// No match: a new (potential) client, which is what an empty directory suggests.
    public init(
      clientID: String? = nil, contactID: String? = nil, interestIDs: [String] = [],
      by: [String] = [], conflicts: [String] = [], suggestedAction: SuggestedAction = .newClient,
      potentialClient: Bool = true, candidates: [Candidate] = [],
      acceptedInquiryID: String? = nil
    ) {
      self.clientID = clientID
      self.contactID = contactID
      self.interestIDs = interestIDs
      self.by = by
      self.conflicts = conflicts
      self.suggestedAction = suggestedAction
      self.potentialClient = potentialClient
      self.candidates = candidates
      self.acceptedInquiryID = acceptedInquiryID
    }

    /// A client the sender may belong to.
    public struct Candidate: Codable, Sendable, Equatable {
      public var clientID: String
      public var contactID: String?

      public init(clientID: String, contactID: String? = nil) {
        self.clientID = clientID
        self.contactID = contactID
      }

      enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case contactID = "contact_id"
      }
    }

    enum CodingKeys: String, CodingKey {
      case clientID = "client_id"
      case contactID = "contact_id"
      case interestIDs = "interest_ids"
      case by, conflicts, candidates
      case suggestedAction = "suggested_action"
      case potentialClient = "potential_client"
      case acceptedInquiryID = "accepted_inquiry_id"
    }

    // Documents stored before `candidates` existed have none.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      clientID = try container.decodeIfPresent(String.self, forKey: .clientID)
      contactID = try container.decodeIfPresent(String.self, forKey: .contactID)
      interestIDs = try container.decode([String].self, forKey: .interestIDs)
      by = try container.decode([String].self, forKey: .by)
      conflicts = try container.decode([String].self, forKey: .conflicts)
      suggestedAction = try container.decode(SuggestedAction.self, forKey: .suggestedAction)
      potentialClient = try container.decode(Bool.self, forKey: .potentialClient)
      candidates = try container.decodeIfPresent([Candidate].self, forKey: .candidates) ?? []
      acceptedInquiryID = try container.decodeIfPresent(String.self, forKey: .acceptedInquiryID)
    }
  }

  /// Where the inquiry came from in the raw journal.
  public struct Source: Codable, Sendable, Equatable {
    public var rawID: String?
    public var messageID: String?
    public var callID: String?

    public init(rawID: String? = nil, messageID: String? = nil, callID: String? = nil) {
      self.rawID = rawID
      self.messageID = messageID
      self.callID = callID
    }

    enum CodingKeys: String, CodingKey {
      case rawID = "raw_id"
      case messageID = "message_id"
      case callID = "call_id"
    }
  }

  /// The manager's decision.
  public struct Acceptance: Codable, Sendable, Equatable {
    public var action: String
    public var by: String
    public var at: Date
    public var clientID: String?
    public var contactID: String?
    public var interestID: String?
    /// Why it was rejected (`spam`, `duplicate`, `not_a_lead`, `other`).
    public var reason: String?
    /// The inquiry id it was merged into.
    public var into: String?
    /// The manager's note.
    public var comment: String?

    public init(
      action: String, by: String, at: Date, clientID: String? = nil, contactID: String? = nil,
      interestID: String? = nil, reason: String? = nil, into: String? = nil,
      comment: String? = nil
    ) {
      self.action = action
      self.by = by
      self.at = at
      self.clientID = clientID
      self.contactID = contactID
      self.interestID = interestID
      self.reason = reason
      self.into = into
      self.comment = comment
    }

    enum CodingKeys: String, CodingKey {
      case action, by, at
      case clientID = "client_id"
      case contactID = "contact_id"
      case interestID = "interest_id"
      case reason, into, comment
    }
  }
}
