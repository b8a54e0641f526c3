/// An identifier a CRM may send as a JSON string or a number (`"42"` and `42` are the same id;
/// an INN typed into a spreadsheet often arrives as a number).
struct DirectoryID: Decodable {
  var value: String

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let text = try? container.decode(String.self) {
      value = text
    } else if let number = try? container.decode(Int64.self) {
      value = String(number)
    } else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "expected a string or an integer id")
    }
  }
}
