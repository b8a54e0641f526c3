/// How log lines look: `text` for people (or journald), `json` for log shippers.
public enum LogFormat: String, Sendable, CaseIterable {
  case text
  case json
}
