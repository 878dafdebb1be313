/// The realm file's `capabilities` section (docs/action-authority.md): how long a capability
/// token lives when the request names no `capability_ttl`, and the longest it may ask for.
/// A capability is meant to be used within seconds of its issue; the bound keeps a stolen
/// one from being useful for long.
public struct CapabilitySettings: Sendable, Hashable, Codable {
    /// The lifetime of a capability whose request names none.
    public var lifetimeSeconds: Int
    /// The longest lifetime a request may ask for (`capability_ttl`); more is refused.
    public var maxLifetimeSeconds: Int

    public init(lifetimeSeconds: Int = 60, maxLifetimeSeconds: Int = 300) {
        self.lifetimeSeconds = lifetimeSeconds
        self.maxLifetimeSeconds = maxLifetimeSeconds
    }

    /// What a realm without the section gets: 60 s, at most 5 minutes.
    public static let defaults = CapabilitySettings()

    /// The bounds the realm file checks (1 s to 1 h for both).
    public static let lifetimeRange = 1...3600
}
