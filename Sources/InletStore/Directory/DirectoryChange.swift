import InletCore

/// What a directory write touched, so that only the still-`new` inquiries it can affect are
/// matched again: those with one of the keys (before or after the write) and those already
/// matched to one of the records.
struct DirectoryChange {
  var keys: Set<DirectoryKey> = []
  var clientIDs: Set<String> = []
  /// Clients whose own record was written or deleted: their contacts name them, or no longer.
  var clientRecords: Set<String> = []
  var contactIDs: Set<String> = []
  /// A bulk import: every new inquiry is matched again, once, at the end.
  var everything = false

  var isEmpty: Bool { !everything && keys.isEmpty && clientIDs.isEmpty && contactIDs.isEmpty }
}
