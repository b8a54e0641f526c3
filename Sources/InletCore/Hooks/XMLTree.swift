import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Turns an XML document into a value tree: an element is an object of its children (repeated
/// names become arrays), attributes are `@name` members, text is `#text` (or the element's value
/// when it has nothing else). Namespace prefixes are dropped (`xsi:Event` → `Event`), since
/// providers are not consistent about them (BroadWorks XSI).
enum XMLTree {
  static func parse(_ bytes: [UInt8]) throws(BodyDecodingError) -> Value {
    let builder = Builder()
    let parser = XMLParser(data: Data(bytes))
    parser.shouldProcessNamespaces = false
    parser.delegate = builder
    guard parser.parse(), let root = builder.root else {
      let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
      throw .malformed("the body is not well-formed XML (\(reason))")
    }
    return .object([root.name: root.value])
  }

  static func localName(_ name: String) -> String {
    name.split(separator: ":").last.map(String.init) ?? name
  }

  final class Node {
    let name: String
    var attributes: [String: String]
    var children: [Node] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
      self.name = name
      self.attributes = attributes
    }

    var value: Value {
      let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if children.isEmpty && attributes.isEmpty { return .string(trimmed) }
      var members: [String: Value] = [:]
      for (key, value) in attributes { members["@" + XMLTree.localName(key)] = .string(value) }
      // Siblings of one name are gathered first (appended in place), then become one array.
      var named: [String: [Value]] = [:]
      for child in children { named[child.name, default: []].append(child.value) }
      for (name, values) in named { members[name] = values.count == 1 ? values[0] : .array(values) }
      if !trimmed.isEmpty { members["#text"] = .string(trimmed) }
      return .object(members)
    }
  }

  final class Builder: NSObject, XMLParserDelegate {
    var stack: [Node] = []
    var root: Node?

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
      qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
      stack.append(Node(name: XMLTree.localName(elementName), attributes: attributeDict))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      stack.last?.text += string
    }

    /// `<![CDATA[…]]>` is text like any other.
    func parser(_ parser: XMLParser, foundCDATA block: Data) {
      stack.last?.text += String(decoding: block, as: UTF8.self)
    }

    func parser(
      _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
      qualifiedName qName: String?
    ) {
      guard let node = stack.popLast() else { return }
      if let parent = stack.last {
        parent.children.append(node)
      } else {
        root = node
      }
    }
  }
}
