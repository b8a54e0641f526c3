/// One page of a listing: `{"items": [...], "next": "..." | null}`. `next` is always present;
/// null says the listing reached its end. `resume` (where a listing has one) is the position
/// after the page's last entry, also on the last page: where to ask from later for only what
/// arrived since.
struct APIPage<Item: Encodable>: Encodable {
  var items: [Item]
  var next: String?
  var resume: String?

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(items, forKey: .items)
    try container.encode(next, forKey: .next)
    try container.encodeIfPresent(resume, forKey: .resume)
  }

  enum CodingKeys: String, CodingKey { case items, next, resume }
}
