/// Outlook's TNEF stream (`winmail.dat`, `application/ms-tnef`): a letter sent in Rich Text
/// format carries its files, and sometimes its only text, inside it. Read as a sequence of
/// attributes (a level byte, a 32-bit id, a 32-bit length, the data, a 16-bit checksum); an
/// attachment starts at its rendering attribute, its name and bytes follow, and its MAPI
/// properties may hold the long file name. Everything is bounds-checked: a cut or crafted
/// stream gives what could be read, or nothing.
enum TNEF {
  struct File: Equatable {
    var name: String?
    var mediaType: String?
    var data: [UInt8]
  }

  struct Content {
    /// The attached files, in order (an embedded Outlook item, which has no bytes of its
    /// own, is not one).
    var files: [File] = []
    /// The message's text: its plain body, or its compressed RTF read as text.
    var text: String?
  }

  static let signature: UInt32 = 0x223E_9F78

  /// The stream's content; nil when it is no TNEF stream. Its text is read only when `text`
  /// asks for it (a letter with a text part of its own has no use for it).
  static func read(_ bytes: [UInt8], text wanted: Bool = true) -> Content? {
    var reader = Reader(bytes)
    guard reader.u32() == signature, reader.u16() != nil else { return nil }
    var content = Content()
    var codepage: UInt32 = 1252
    var current: Attachment?
    var plainBody: [UInt8]?
    var messageProperties: [UInt16: PropertyValue] = [:]
    func finish(_ attachment: Attachment?) {
      guard let attachment, let file = attachment.file(codepage: codepage) else { return }
      content.files.append(file)
    }
    while reader.remaining >= 9 {
      guard let level = reader.u8(), let attribute = reader.u32(), let length = reader.u32(),
        let data = reader.take(Int(length))
      else { break }
      _ = reader.u16()  // checksum: a wrong one does not make readable bytes unreadable
      let id = UInt16(truncatingIfNeeded: attribute)
      switch (level, id) {
      case (_, 0x9002):  // attAttachRendData: a new attachment
        finish(current)
        current = Attachment()
      case (_, 0x8010):  // attAttachTitle: the short name, in the message's code page
        if current == nil { current = Attachment() }
        current?.title = Array(data)
      case (_, 0x800F):  // attAttachData
        if current == nil { current = Attachment() }
        current?.data = Array(data)
      case (_, 0x9005):  // attAttachment: the attachment's MAPI properties
        if current == nil { current = Attachment() }
        current?.properties = properties(data)
      case (_, 0x9007):  // attOemCodepage
        var value = Reader(Array(data))
        if let page = value.u32(), page != 0 { codepage = page }
      case (1, 0x800C):  // attBody
        plainBody = Array(data)
      case (1, 0x9003):  // attMAPIProps: the message's properties
        messageProperties = properties(data)
      default:
        break
      }
    }
    finish(current)
    guard wanted else { return content }
    if case .long(let page) = messageProperties[0x3FDE], page != 0 { codepage = page }
    // The plain body (`PR_BODY`, `attBody`), else the HTML one (`PR_HTML`), else the RTF —
    // each read only when the ones before it give nothing.
    let page = codepage
    let candidates: [() -> String?] = [
      { messageProperties[0x1000]?.string(codepage: page) },
      { plainBody.map { text($0, codepage: page) } },
      {
        switch messageProperties[0x1013] {
        case .binary(let bytes): HTMLText.text(from: text(bytes, codepage: page))
        case .some(let value): value.string(codepage: page).map { HTMLText.text(from: $0) }
        case .none: nil
        }
      },
      {
        messageProperties[0x1009]?.bytes.flatMap(CompressedRTF.decompress)
          .map { RTFText.text(of: $0) }
      },
    ]
    content.text = candidates.lazy.compactMap { $0()?.trimmingASCIIWhitespace() }
      .first { !$0.isEmpty }
    return content
  }

  /// One attachment as its attributes come.
  private struct Attachment {
    var title: [UInt8]?
    var data: [UInt8]?
    var properties: [UInt16: PropertyValue] = [:]

    func file(codepage: UInt32) -> File? {
      // The bytes: the attribute, or the property (`PR_ATTACH_DATA_BIN`) when only it has them.
      guard let bytes = data ?? properties[0x3701]?.bytes else { return nil }
      // The long name (`PR_ATTACH_LONG_FILENAME`), else the short one, else the title.
      let name = [
        properties[0x3707]?.string(codepage: codepage),
        properties[0x3704]?.string(codepage: codepage),
        title.map { TNEF.text($0, codepage: codepage) },
      ].lazy.compactMap { $0?.trimmingASCIIWhitespace() }.first { !$0.isEmpty }
      let mediaType = properties[0x370E]?.string(codepage: codepage)?.lowercased()
      return File(name: name, mediaType: mediaType, data: bytes)
    }
  }

  /// A MAPI property's value, as far as inlet uses it.
  enum PropertyValue {
    case string8([UInt8])
    case unicode([UInt8])
    case binary([UInt8])
    case long(UInt32)

    var bytes: [UInt8]? {
      if case .binary(let bytes) = self { return bytes }
      return nil
    }

    func string(codepage: UInt32) -> String? {
      switch self {
      case .string8(let bytes): return TNEF.text(bytes, codepage: codepage)
      case .unicode(let bytes):
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 0
        while index + 1 < bytes.count {
          let unit = UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
          if unit == 0 { break }
          units.append(unit)
          index += 2
        }
        return String(decoding: units, as: UTF16.self)
      case .binary, .long: return nil
      }
    }
  }

  /// The properties of an `attMAPIProps` or `attAttachment` block, by property id (the first
  /// value of each). Reading stops at a type it does not know: what came before is kept.
  static func properties(_ data: ArraySlice<UInt8>) -> [UInt16: PropertyValue] {
    var reader = Reader(Array(data))
    var found: [UInt16: PropertyValue] = [:]
    guard let count = reader.u32() else { return found }
    for _ in 0..<min(count, 4096) {
      guard let type = reader.u16(), let id = reader.u16() else { break }
      if id >= 0x8000 {
        // A named property: its GUID, then a numeric id or a UTF-16 name.
        guard reader.take(16) != nil, let kind = reader.u32() else { break }
        if kind == 0 {
          guard reader.u32() != nil else { break }
        } else {
          guard let length = reader.u32(), reader.take(padded(Int(length))) != nil else { break }
        }
      }
      let base = type & 0x0FFF
      var values = 1
      if type & 0x1000 != 0 || variableLengthTypes.contains(base) {
        guard let number = reader.u32(), number <= 65536 else { break }
        values = Int(number)
      }
      var first: PropertyValue?
      var readable = true
      for index in 0..<values {
        var value: PropertyValue?
        switch base {
        case 0x1E, 0x1F, 0x102, 0x0D:
          guard let length = reader.u32(), let bytes = reader.take(Int(length)),
            reader.take(padded(Int(length)) - Int(length)) != nil
          else {
            readable = false
            break
          }
          switch base {
          case 0x1E: value = .string8(Array(bytes))
          case 0x1F: value = .unicode(Array(bytes))
          case 0x102: value = .binary(Array(bytes))
          default: value = nil  // an embedded object: not a file's bytes
          }
        case 0x03:
          guard let number = reader.u32() else {
            readable = false
            break
          }
          value = .long(number)
        case 0x02, 0x0B, 0x04, 0x0A, 0x01:
          readable = reader.take(4) != nil
        case 0x05, 0x06, 0x07, 0x14, 0x40:
          readable = reader.take(8) != nil
        case 0x48:
          readable = reader.take(16) != nil
        default:
          readable = false
        }
        if !readable { break }
        if index == 0 { first = value }
      }
      if !readable { break }
      if let first, type & 0x1000 == 0, found[id] == nil { found[id] = first }
    }
    return found
  }

  /// The MAPI types whose value is a count, then length-prefixed bytes: 8-bit and UTF-16
  /// strings, binary, an embedded object.
  private static let variableLengthTypes: Set<UInt16> = [0x1E, 0x1F, 0x102, 0x0D]

  private static func padded(_ length: Int) -> Int {
    (length + 3) & ~3
  }

  /// An 8-bit string of the stream (up to its terminating zero) in its code page, read as a
  /// MIME part's text is: an English-locale Outlook declares 1252 for Russian text.
  static func text(_ bytes: [UInt8], codepage: UInt32) -> String {
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return Charset.decode(
      bytes[..<end], declared: codepage == 65001 ? "UTF-8" : "windows-\(codepage)")
  }

  /// Little-endian reads that fail, rather than trap, past the end.
  struct Reader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
      self.bytes = bytes
    }

    var remaining: Int { bytes.count - position }

    mutating func u8() -> UInt8? {
      guard remaining >= 1 else { return nil }
      defer { position += 1 }
      return bytes[position]
    }

    mutating func u16() -> UInt16? {
      guard remaining >= 2 else { return nil }
      defer { position += 2 }
      return UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
    }

    mutating func u32() -> UInt32? {
      guard remaining >= 4 else { return nil }
      defer { position += 4 }
      var value: UInt32 = 0
      for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << (8 * offset) }
      return value
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
      guard count >= 0, remaining >= count else { return nil }
      defer { position += count }
      return bytes[position..<(position + count)]
    }
  }
}
