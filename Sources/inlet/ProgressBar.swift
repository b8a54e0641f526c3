import Foundation

/// A one-line progress bar on standard error, redrawn in place; silent when not a terminal, so
/// logs and pipes get only the summary.
final class ProgressBar {
  private let enabled: Bool
  private let label: String
  private var lastDraw = Date.distantPast
  private var drawn = false

  init(enabled: Bool, label: String) {
    self.enabled = enabled
    self.label = label
  }

  /// Redraws at most ten times a second.
  func update(done: Int, total: Int, rows: Int, malformed: Int) {
    guard enabled, Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = Date()
    let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let line =
      "\r\(label) [\(bar)] \(Int(fraction * 100))%  \(rows) rows"
      + (malformed > 0 ? ", \(malformed) malformed" : "")
    FileHandle.standardError.write(Data(line.utf8))
    drawn = true
  }

  /// Clears the line so a message can be printed.
  func clear() {
    guard enabled, drawn else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    drawn = false
  }

  func finish() { clear() }
}
