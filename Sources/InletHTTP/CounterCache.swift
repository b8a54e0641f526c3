import Metrics
import Synchronization

/// Counters by label and dimensions, made once: building a swift-metrics `Counter` asks the
/// factory (a lock and a registry lookup) every time, which is wasted work per request.
public final class CounterCache: Sendable {
  public static let shared = CounterCache()

  private let counters = Mutex<[String: Counter]>([:])

  /// Adds one to the counter `label{dimensions}`.
  public func increment(_ label: String, _ dimensions: [(String, String)] = []) {
    var key = label
    for (name, value) in dimensions {
      key.append("|")
      key.append(name)
      key.append("=")
      key.append(value)
    }
    let counter = counters.withLock { cache -> Counter in
      if let existing = cache[key] { return existing }
      let made = Counter(label: label, dimensions: dimensions)
      cache[key] = made
      return made
    }
    counter.increment()
  }
}
