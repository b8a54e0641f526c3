/// Polls `condition` until it holds or `seconds` pass (a clock deadline, not a count of tries:
/// on a loaded machine each try may take long); the last look is taken at the deadline.
func eventually(
  seconds: Int = 30, _ condition: () async throws -> Bool
) async throws -> Bool {
  let deadline = ContinuousClock.now + .seconds(seconds)
  while ContinuousClock.now < deadline {
    if try await condition() { return true }
    try await Task.sleep(for: .milliseconds(50))
  }
  return try await condition()
}
