/// A list of the body narrowed, after `split`, to the items whose `key` equals the value at
/// `equals`.
///
/// WhatsApp sends a batch's `contacts` once for all its messages: `{ list:
/// entry.0.changes.0.value.contacts, key: wa_id, equals: entry.0.changes.0.value.messages.0.from }`
/// keeps each message only its own sender's contact, so `contacts.0.profile.name` is that
/// sender's name, or absent (never another sender's) when the batch has no contact for them.
public struct ListFilter: Sendable, Decodable {
  /// The list narrowed (`entry.0.changes.0.value.contacts`).
  public var list: FieldPath
  /// The paths inside each item that are compared (`wa_id`; or `[wa_id, user_id]`).
  public var key: [FieldPath]
  /// The paths in the (split) body whose values an item's `key` must equal, pairwise
  /// (`entry.0.changes.0.value.messages.0.from`): an item is kept when one pair is equal (a
  /// WhatsApp sender without a number is named by `from_user_id`, its contact by `user_id`).
  public var equals: [FieldPath]

  enum CodingKeys: String, CodingKey, CaseIterable { case list, key, equals }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownKeys(CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    list = try FieldPath.decoding(
      c.decode(String.self, forKey: .list), at: c.codingPath + [CodingKeys.list])
    key = try c.fieldPaths(forKey: .key)
    equals = try c.fieldPaths(forKey: .equals)
    guard !key.isEmpty, key.count == equals.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .equals, in: c, debugDescription: "as many paths as `key` has")
    }
  }

  /// `fields` with the list reduced to its matching items: none match when every value to
  /// equal is missing or empty. A body without the list is returned unchanged.
  public func apply(to fields: Value) -> Value {
    guard let items = fields.value(at: list)?.array else { return fields }
    let wanted = equals.map { fields.value(at: $0)?.text ?? "" }
    let kept = items.filter { item in
      zip(key, wanted).contains { key, wanted in
        guard !wanted.isEmpty, let value = item.value(at: key)?.text else { return false }
        return value == wanted
      }
    }
    if kept.count == items.count { return fields }
    return fields.replacing(at: list, with: .array(kept))
  }
}
