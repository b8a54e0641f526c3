import InletCore

/// How directory values are normalised and matched: the phone country and config `matching:`.
public struct DirectorySettings: Sendable {
  public var rules: MatchingRules
  public var normalizer: DirectoryNormalizer

  public init(rules: MatchingRules = MatchingRules(), phone: PhoneNormalizer = PhoneNormalizer()) {
    self.rules = rules
    self.normalizer = DirectoryNormalizer(phone: phone)
  }

  var matcher: Matcher { Matcher(rules: rules) }
}
