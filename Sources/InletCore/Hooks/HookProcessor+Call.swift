import Foundation

extension HookProcessor {
  /// Turns a mapped call event into a disposition: the call signals (`call.state`, `call.seq`,
  /// `call.leg`, `call.answered`) and the call fields become a ``CallEvent``; an event without a call id
  /// cannot be attributed to a call and is quarantined.
  static func callDisposition(
    _ mapped: Inquiry, signals: [String: String], now: Date,
    zone: TimeZone = CallTime.defaultZone
  ) -> RawSubmission.Disposition {
    var inquiry = mapped
    inquiry.kind = .call
    guard let callID = inquiry.source.callID else {
      return quarantine(
        "missing_fields",
        "the call event carries no call id (source.call_id); it was kept as quarantined",
        partial: inquiry)
    }
    let state = signals["call.state"].flatMap { CallState(rawValue: $0) }
    var seq: Int64?
    if let text = signals["call.seq"] { seq = WholeNumber.parse(text) }
    let answered = signals["call.answered"].map { truthy($0) }
    // Withheld: the provider said so (`anonymous`, `private`, zeros), or a call-state event
    // came with no caller number at all. A number that could not be read is not withheld
    // (it stays in `unparsed_phone`), and an event that is not about the call's state (a
    // recording) says nothing about the caller.
    let hidden =
      inquiry.extra["anonymous_caller"] != nil
      || (state != nil && inquiry.sender.phone == nil && inquiry.extra["unparsed_phone"] == nil)
    let details = inquiry.call ?? Inquiry.Call()
    let event = CallEvent(
      callID: callID, state: state, seq: seq,
      leg: signals["call.leg"].flatMap { $0.isEmpty ? nil : $0 },
      answered: answered, direction: details.direction,
      fromExtension: signals["call.leg_from_extension"].map { truthy($0) } ?? false,
      handedOver: signals["call.leg_handed_over"].map { truthy($0) } ?? false,
      callerPhone: inquiry.sender.phone, anonymous: hidden, did: details.did,
      employee: details.employee, durationS: details.durationS,
      recordingURL: details.recordingURL, receivedAt: now,
      startedAt: signals["call.started_at"].flatMap { CallTime.parse($0, zone: zone, now: now) })
    return .call(event, inquiry)
  }
}
