#if canImport(Glibc)
  import Glibc
#endif

/// Writes whole lines to standard error, each with one `write(2)`, so lines from concurrent
/// loggers never interleave.
enum LineWriter {
  static func write(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    bytes.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
        if written > 0 {
          offset += written
        } else if written < 0 && errno == EINTR {
          continue
        } else {
          return
        }
      }
    }
  }
}
