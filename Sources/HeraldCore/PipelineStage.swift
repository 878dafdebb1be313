/// Where an agent is in the release pipeline (issue 5): INTAKE → VETTING → TESTING →
/// DEV_APPROVED → PROD_APPROVED → ACTIVE, plus SUSPENDED and REVOKED.
public enum PipelineStage: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case intake = "INTAKE"
    case vetting = "VETTING"
    case testing = "TESTING"
    case devApproved = "DEV_APPROVED"
    case prodApproved = "PROD_APPROVED"
    case active = "ACTIVE"
    case suspended = "SUSPENDED"
    case revoked = "REVOKED"

    /// The forward stages in order; SUSPENDED and REVOKED are outside the line.
    public static let line: [PipelineStage] = [.intake, .vetting, .testing, .devApproved, .prodApproved, .active]

    /// The next stage on the line; nil at ACTIVE and off the line.
    public var next: PipelineStage? {
        guard let index = Self.line.firstIndex(of: self), index + 1 < Self.line.count else { return nil }
        return Self.line[index + 1]
    }

    /// Position on the line (0 = INTAKE … 5 = ACTIVE); nil for SUSPENDED and REVOKED.
    public var rank: Int? { Self.line.firstIndex(of: self) }

    /// Whether an agent in this stage may be issued anything at all.
    public var isServing: Bool { self != .suspended && self != .revoked }

    public var description: String { rawValue }
}
