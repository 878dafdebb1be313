import HeraldJOSE

/// A peer's entity configuration whose signature, type, subject and lifetime
/// ``EntityStatement/verify(_:anchor:now:)`` has checked. Only that function makes one.
public struct VerifiedEntityStatement: Sendable {
    /// The claims.
    public let statement: EntityStatement
    /// The federation key that signed it.
    public let signingKey: PublicJWK

    init(statement: EntityStatement, signingKey: PublicJWK) {
        self.statement = statement
        self.signingKey = signingKey
    }

    /// Where the peer serves its trust bundle.
    public var bundleEndpoint: String { statement.bundleEndpoint }
}
