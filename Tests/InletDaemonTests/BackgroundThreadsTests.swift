import Foundation
import Synchronization
import Testing

@testable import InletDaemon

#if canImport(Glibc)
  import Glibc
#endif

@Suite("Background threads")
struct BackgroundThreadsTests {
  /// The calling thread's nice value.
  private static func niceValue() -> Int32? {
    guard let id = BackgroundThreads.currentThreadID() else { return nil }
    errno = 0
    let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(id))
    return errno == 0 ? value : nil
  }

  @Test("every thread's result comes back; they run at nice 10, the caller keeps its own")
  func resultsAndPriority() async throws {
    let before = try #require(Self.niceValue())
    let threads = 3
    let results = await BackgroundThreads.run(count: threads) { () -> (Int32?, Int32?) in
      (BackgroundThreads.currentThreadID(), Self.niceValue())
    }
    #expect(results.count == threads)
    // Three threads of their own, none of them the caller's.
    #expect(Set(results.compactMap(\.0)).count == threads)
    for (_, nice) in results {
      #expect(nice == max(before, BackgroundThreads.nice))
    }
    #expect(Self.niceValue() == before)
  }

  @Test("work shared through a counter is done exactly once, all of it")
  func sharedWorkDoneOnce() async {
    let counter = Mutex(0)
    let parts = await BackgroundThreads.run(count: 2) { () -> [Int] in
      var taken: [Int] = []
      while true {
        let next = counter.withLock { value -> Int in
          defer { value += 1 }
          return value
        }
        if next >= 1_000 { break }
        taken.append(next)
      }
      return taken
    }
    #expect(parts.flatMap { $0 }.sorted() == Array(0..<1_000))
  }
}
