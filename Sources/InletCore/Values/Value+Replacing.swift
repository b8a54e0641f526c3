extension Value {
  /// The items of an array, or `nil`.
  public var array: [Value]? {
    if case .array(let items) = self { return items }
    return nil
  }

  /// A copy with the value at `path` replaced (the path must exist; otherwise unchanged).
  /// Object keys are matched like ``member(_:)``: exactly, then ignoring case.
  public func replacing(at path: FieldPath, with replacement: Value) -> Value {
    replacing(path.segments[...], with: replacement)
  }

  private func replacing(_ segments: ArraySlice<String>, with replacement: Value) -> Value {
    guard let segment = segments.first else { return replacement }
    let rest = segments.dropFirst()
    switch self {
    case .object(var members):
      let key =
        members[segment] != nil
        ? segment : members.keys.first { $0.lowercased() == segment.lowercased() }
      guard let key, let child = members[key] else { return self }
      members[key] = child.replacing(rest, with: replacement)
      return .object(members)
    case .array(var items):
      guard let index = Int(segment), items.indices.contains(index) else { return self }
      items[index] = items[index].replacing(rest, with: replacement)
      return .array(items)
    default:
      return self
    }
  }
}
