import Foundation

/// Text with `{{namespace.key}}` placeholders: `{{inquiry.id}}`, `{{query.zd_echo}}`,
/// `{{field.call_id}}`, `{{header.x-id}}`, `{{option.thank_you_url}}`, `{{secret.confirmation}}`.
public struct Template: Sendable, Hashable {
  enum Piece: Sendable, Hashable {
    case literal(String)
    case placeholder(namespace: String, key: String)
  }

  let pieces: [Piece]
  /// The template as written.
  public let source: String

  public init(_ source: String) {
    self.source = source
    var pieces: [Piece] = []
    var rest = Substring(source)
    while let open = rest.range(of: "{{") {
      if open.lowerBound > rest.startIndex {
        pieces.append(.literal(String(rest[..<open.lowerBound])))
      }
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        rest = rest[open.lowerBound...]
        break
      }
      let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      let parts = inner.split(separator: ".", maxSplits: 1)
      if parts.count == 2 {
        pieces.append(.placeholder(namespace: String(parts[0]), key: String(parts[1])))
      } else {
        pieces.append(.placeholder(namespace: "field", key: inner))
      }
      rest = rest[close.upperBound...]
    }
    if !rest.isEmpty { pieces.append(.literal(String(rest))) }
    self.pieces = pieces
  }

  /// The keys placeholders of one namespace use (`secret` → `confirmation`).
  public func keys(namespace wanted: String) -> [String] {
    pieces.compactMap {
      if case .placeholder(let namespace, let key) = $0, namespace == wanted { return key }
      return nil
    }
  }

  /// The namespaces placeholders use, for validation.
  public var namespaces: Set<String> {
    Set(
      pieces.compactMap {
        if case .placeholder(let namespace, _) = $0 { return namespace }
        return nil
      })
  }

  /// Whether the template is a single placeholder and nothing else.
  public var isSinglePlaceholder: Bool {
    if pieces.count == 1, case .placeholder = pieces[0] { return true }
    return false
  }

  /// Fills the placeholders; an unknown one renders empty. With `encodingQuery`, the template
  /// is a URL: a value placed after its `?` is percent-encoded (`{{hook.url}}?token=
  /// {{secret.token}}` with a token `a+b/c` gives `?token=a%2Bb%2Fc`, which reads back as the
  /// token, not `a b/c`).
  public func render(
    _ resolve: (_ namespace: String, _ key: String) -> String?, encodingQuery: Bool = false
  ) -> String {
    var out = ""
    var inQuery = false
    for piece in pieces {
      switch piece {
      case .literal(let text):
        out += text
        if encodingQuery, text.contains("?") { inQuery = true }
      case .placeholder(let namespace, let key):
        let value = resolve(namespace, key) ?? ""
        out += inQuery ? FormURLEncoding.encode(value) : value
      }
    }
    return out
  }

  /// The filled text, and whether any placeholder had a value: a template none of whose
  /// placeholders has one says nothing (a key's `offline:`, a recording's
  /// `zadarma-recording:` for a call that was not recorded).
  public func renderFilled(_ resolve: (_ namespace: String, _ key: String) -> String?)
    -> (text: String, filled: Bool)
  {
    var filled = false
    let text = render { namespace, key in
      let value = resolve(namespace, key)
      if let value, !value.isEmpty { filled = true }
      return value
    }
    return (text, filled)
  }

  /// Whether it has no placeholder at all (a constant text).
  public var isConstant: Bool {
    !pieces.contains { if case .placeholder = $0 { return true } else { return false } }
  }
}
