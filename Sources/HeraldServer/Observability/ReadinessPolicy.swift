/// Whether a stale federation peer makes `/health/ready` fail (`--readiness-federation`,
/// `HERALD_READINESS_FEDERATION`).
public enum ReadinessPolicy: String, Sendable, CaseIterable {
    /// Stale peers are reported in the body (`degraded`) and by metrics, and the server stays
    /// ready: every replica shares the peer, so taking them out of rotation would turn a
    /// partial degradation (that peer's agents fall to L0, fail-safe) into a full outage.
    case report
    /// A stale peer fails readiness (an issuer whose only job is federation).
    case required
}
