import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Threads for background work that must not slow what is waiting on it: a mailbox's letters
/// are normalised on threads of their own at a lower priority (nice ``nice``), so when the
/// cores are busy the writer committing the previous chunk — the one stage every letter passes
/// one at a time — and, in `inlet serve`, webhook requests go first. The cooperative pool's
/// threads keep their priority; these threads end with the work.
enum BackgroundThreads {
  /// The nice value of the threads (the process's own is usually 0).
  static let nice: Int32 = 10

  /// Runs `body` on `count` new threads and returns what each returned, in no order.
  static func run<T: Sendable>(count: Int, _ body: @escaping @Sendable () -> T) async -> [T] {
    precondition(count > 0)
    return await withCheckedContinuation { continuation in
      let collector = Collector<T>(expected: count, continuation: continuation)
      for _ in 0..<count {
        let thread = Thread {
          lowerPriority()
          collector.add(body())
        }
        // As much stack as a pool thread has (deeply nested MIME is walked recursively).
        thread.stackSize = 8 << 20
        thread.start()
      }
    }
  }

  /// Lowers the calling thread's priority to ``nice``. On Linux the nice value is per thread,
  /// set through the thread's id (read from `/proc/thread-self`); raising one's own nice
  /// value needs no privilege. Where that fails the thread simply keeps its priority.
  static func lowerPriority() {
    #if os(Linux)
      guard let id = currentThreadID() else { return }
      _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(id), nice)
    #endif
  }

  /// The kernel's id of the calling thread, or `nil` when `/proc` does not tell it.
  static func currentThreadID() -> Int32? {
    var buffer = [CChar](repeating: 0, count: 64)
    let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    // "PID/task/TID"
    let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return link.split(separator: "/").last.flatMap { Int32($0) }
  }

  /// Gathers the threads' results and resumes the waiting task once all are in.
  private final class Collector<T: Sendable>: Sendable {
    private let state: Mutex<[T]>
    private let expected: Int
    private let continuation: CheckedContinuation<[T], Never>

    init(expected: Int, continuation: CheckedContinuation<[T], Never>) {
      self.expected = expected
      self.continuation = continuation
      var results: [T] = []
      results.reserveCapacity(expected)
      state = Mutex(results)
    }

    func add(_ result: T) {
      let all: [T]? = state.withLock { results in
        results.append(result)
        return results.count == expected ? results : nil
      }
      if let all { continuation.resume(returning: all) }
    }
  }
}
