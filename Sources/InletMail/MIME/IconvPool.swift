import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reuses iconv descriptors: opening one makes glibc load (and closing it unload) a gconv
/// module, which costs more than converting a whole letter. A descriptor is used by one caller
/// at a time and reset to its initial state before it goes back to the pool.
final class IconvPool: @unchecked Sendable {
  static let shared = IconvPool()

  /// Descriptors kept per conversion; more are closed after use.
  private static let maximumIdle = 8

  private let lock = NSLock()
  private var idle: [String: [iconv_t]] = [:]
  private var unknown: Set<String> = []

  /// A descriptor converting `source` to `target`, or `nil` when iconv does not know one of
  /// the names.
  func take(from source: String, to target: String) -> iconv_t? {
    let key = source + "\u{0}" + target
    lock.lock()
    if unknown.contains(key) {
      lock.unlock()
      return nil
    }
    if let handle = idle[key]?.popLast() {
      lock.unlock()
      return handle
    }
    lock.unlock()
    let handle = iconv_open(target, source)
    if handle == iconv_t(bitPattern: -1) {
      lock.lock()
      if unknown.count < 1000 { unknown.insert(key) }
      lock.unlock()
      return nil
    }
    return handle
  }

  /// Returns a descriptor taken with the same names.
  func give(_ handle: iconv_t, from source: String, to target: String) {
    _ = iconv(handle, nil, nil, nil, nil)
    let key = source + "\u{0}" + target
    lock.lock()
    if idle[key, default: []].count < Self.maximumIdle {
      idle[key, default: []].append(handle)
      lock.unlock()
    } else {
      lock.unlock()
      iconv_close(handle)
    }
  }
}
