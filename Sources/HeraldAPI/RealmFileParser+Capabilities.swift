import HeraldCore
import Yams

/// `capabilities`: the lifetimes of capability tokens (docs/action-authority.md).
extension RealmFileParser {
    static let capabilityKeys = ["lifetime", "max_lifetime"]

    func parseCapabilities(_ node: Node) -> CapabilitySettings? {
        let path = "capabilities"
        guard let fields = reader.mapping(node, path, allowed: Self.capabilityKeys) else { return nil }
        var settings = CapabilitySettings.defaults
        let range = CapabilitySettings.lifetimeRange
        if let node = fields["lifetime"] {
            settings.lifetimeSeconds = reader.duration(node, "\(path).lifetime", atLeast: range.lowerBound,
                                                       atMost: range.upperBound) ?? settings.lifetimeSeconds
        }
        if let node = fields["max_lifetime"] {
            settings.maxLifetimeSeconds = reader.duration(node, "\(path).max_lifetime", atLeast: range.lowerBound,
                                                          atMost: range.upperBound) ?? settings.maxLifetimeSeconds
        }
        if settings.lifetimeSeconds > settings.maxLifetimeSeconds {
            reader.issue(fields["lifetime"] ?? node, "\(path).lifetime",
                         "must be at most max_lifetime (\(DurationText.format(settings.maxLifetimeSeconds)))")
        }
        return settings
    }
}

extension RealmDocument {
    static func capabilitiesObject(_ settings: CapabilitySettings) -> [String: Any] {
        ["lifetime": DurationText.format(settings.lifetimeSeconds),
         "max_lifetime": DurationText.format(settings.maxLifetimeSeconds)]
    }
}
