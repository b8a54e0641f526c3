/// One page of a listing: `{"items": [...], "next": "..." | null}`. `next` is always present;
/// null says the listing reached its end.
struct APIPage<Item: Encodable>: Encodable {
  var items: [Item]
  var next: String?

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(items, forKey: .items)
    try container.encode(next, forKey: .next)
  }

  enum CodingKeys: String, CodingKey { case items, next }
}
