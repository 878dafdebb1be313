/// A JWS algorithm Herald signs with.
public enum SigningAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    case es256 = "ES256"
    case edDSA = "EdDSA"
}
