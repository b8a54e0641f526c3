import Foundation
import GRDB
import InletCore

/// Per-inquiry timings of matching and of one indexed point lookup, for `bench/directory.sh`.
public struct MatchTimings: Sendable {
  /// Microseconds per inquiry for the whole match (every criterion, interests, outcome).
  public var match: [Double] = []
  /// Microseconds for one `directory_keys` point lookup of the same inquiry's first key: the
  /// floor any SQLite-backed matcher pays.
  public var pointLookup: [Double] = []
  /// Suggested outcomes, counted (a check that the bench matched something).
  public var outcomes: [String: Int] = [:]
}

extension InletDatabase {
  /// Matches each sender against the directory in one read transaction, timing each match and,
  /// right after it, one point lookup of its first key.
  public func matchTimings(_ senders: [(Inquiry.Sender, Inquiry.Company?)]) throws -> MatchTimings {
    let matcher = directorySettings.matcher
    return try readSync { db in
      let lookup = SQLiteDirectoryLookup(db: db)
      let point = try db.cachedStatement(
        sql: "SELECT record_id FROM directory_keys WHERE kind = ? AND value = ? LIMIT 1")
      var timings = MatchTimings()
      timings.match.reserveCapacity(senders.count)
      timings.pointLookup.reserveCapacity(senders.count)
      for (sender, company) in senders {
        var start = DispatchTime.now().uptimeNanoseconds
        let result = try matcher.match(sender: sender, company: company, in: lookup)
        var end = DispatchTime.now().uptimeNanoseconds
        timings.match.append(Double(end - start) / 1000)
        timings.outcomes[result.match.suggestedAction.rawValue, default: 0] += 1
        guard let key = matcher.keys(sender: sender, company: company).first?.1 else { continue }
        start = DispatchTime.now().uptimeNanoseconds
        _ = try String.fetchOne(point, arguments: [key.kind.rawValue, key.value])
        end = DispatchTime.now().uptimeNanoseconds
        timings.pointLookup.append(Double(end - start) / 1000)
      }
      return timings
    }
  }
}
