import InletCore
import InletStore

extension InletConfig {
  /// Directory normalisation and matching as configured (`phone:`, `matching:`); the daemon and
  /// `inlet directory import` must agree on both, or imported phones would not match inquiries.
  public var directorySettings: DirectorySettings {
    DirectorySettings(
      rules: matching.rules, phone: PhoneNormalizer(defaultCountry: phone.defaultCountry))
  }
}
