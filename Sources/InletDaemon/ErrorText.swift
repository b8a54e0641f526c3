import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Errors in the words an administrator reads them in: the system's text for an error number,
/// an error's reason without Foundation's and SQLite's wrapping, each starting lower-case so it
/// can follow a colon.
public enum ErrorText {
  /// `strerror`'s text: "no such file or directory".
  public static func system(_ code: Int32) -> String {
    lowercasedFirst(String(cString: strerror(code)))
  }

  /// An error's reason: the system's text for a system error, SQLite's message without its
  /// `SQLite error 14:` prefix, Foundation's description otherwise.
  public static func plain(_ error: any Error) -> String {
    let nsError = error as NSError
    var text = "\(error)"
    if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      return system(Int32(underlying.code))
    } else if nsError.domain == NSPOSIXErrorDomain {
      return system(Int32(nsError.code))
    } else if nsError.domain == NSCocoaErrorDomain {
      text = nsError.localizedDescription
    } else if text.hasPrefix("SQLite error "), let colon = text.firstIndex(of: ":") {
      text = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return lowercasedFirst(text)
  }

  private static func lowercasedFirst(_ text: String) -> String {
    text.prefix(1).lowercased() + text.dropFirst()
  }
}
