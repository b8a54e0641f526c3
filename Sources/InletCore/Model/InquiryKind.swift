/// How an inquiry reached the company.
public enum InquiryKind: String, Codable, Sendable, CaseIterable {
  case email
  case call
  case missedCall = "missed_call"
  case form
  case message
}

/// The lifecycle of an inquiry in the lead queue (design.md, "Statuses").
public enum InquiryStatus: String, Codable, Sendable, CaseIterable {
  case new
  case accepted
  case rejected
  case merged
}

/// The lifecycle of a raw journal item.
public enum RawItemStatus: String, Codable, Sendable, CaseIterable {
  case pending
  case normalised
  case ignored
  case quarantined
}

/// The four acceptance outcomes of 1C:CRM's wizard.
public enum SuggestedAction: String, Codable, Sendable, CaseIterable {
  case newClient = "new_client"
  case existingContact = "existing_contact"
  case newContactOfClient = "new_contact_of_client"
  case interactionOnInterest = "interaction_on_interest"
}
