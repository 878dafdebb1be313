import Foundation
import HeraldCore

/// The claims of a JWT agent passport (wire-formats §4), header
/// `{"alg":"ES256","typ":"agent-passport+jwt","kid":…}`.
public struct JWTPassportClaims: Sendable, Hashable {
    /// The JWS `typ` of a JWT passport.
    public static let type = "agent-passport+jwt"

    /// `iss`: the realm issuer URL.
    public var issuer: String
    /// `sub`: the agent id.
    public var subject: String
    /// `iat`, whole seconds (RFC 7519 NumericDate).
    public var issuedAt: Int64
    /// `exp`, whole seconds.
    public var expiresAt: Int64
    /// `jti`: the passport id, `asp_` + 32 lowercase hex (the MCPS passport's id).
    public var passportID: String
    public var agent: PassportAgent
    /// `code_hash`: the attested hash of the agent's code, if one is registered.
    public var codeHash: String?
    public var trustLevel: TrustLevel
    /// `trust_score`, 0–100.
    public var trustScore: Int
    /// `pipeline_stage`, e.g. `ACTIVE` (the raw value of the lifecycle's stage).
    public var pipelineStage: String
    /// `cnf.jwk` (RFC 7800): the agent's own public key, which signs its requests.
    public var confirmationKey: PublicJWK
    /// `status.status_list` (draft-ietf-oauth-status-list), if the passport has an entry.
    public var status: StatusListReference?

    public init(issuer: String, subject: String, issuedAt: Int64, expiresAt: Int64, passportID: String,
                agent: PassportAgent, codeHash: String?, trustLevel: TrustLevel, trustScore: Int,
                pipelineStage: String, confirmationKey: PublicJWK, status: StatusListReference?) {
        self.issuer = issuer
        self.subject = subject
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.passportID = passportID
        self.agent = agent
        self.codeHash = codeHash
        self.trustLevel = trustLevel
        self.trustScore = trustScore
        self.pipelineStage = pipelineStage
        self.confirmationKey = confirmationKey
        self.status = status
    }

    /// The claims as compact JSON.
    public var encoded: [UInt8] {
        var writer = JSONWriter(capacity: 640)
        writer.beginObject()
        writer.member("iss", issuer)
        writer.member("sub", subject)
        writer.key("iat"); writer.int(Int(issuedAt))
        writer.key("exp"); writer.int(Int(expiresAt))
        writer.member("jti", passportID)
        writer.key("agent")
        writer.beginObject()
        writer.member("name", agent.name)
        writer.member("version", agent.version)
        writer.member("capabilities", strings: agent.capabilities)
        writer.endObject()
        if let codeHash { writer.member("code_hash", codeHash) }
        writer.member("trust_level", trustLevel.rawValue)
        writer.member("trust_score", trustScore)
        writer.member("pipeline_stage", pipelineStage)
        writer.key("cnf")
        writer.beginObject()
        writer.key("jwk")
        confirmationKey.write(to: &writer, includeMetadata: false)
        writer.endObject()
        if let status {
            writer.key("status")
            status.write(to: &writer)
        }
        writer.endObject()
        return writer.bytes
    }

    /// The compact JWS, signed by `signer` with `typ: agent-passport+jwt`.
    public func signed(by signer: JWTSigner) throws -> String {
        try signer.sign(claims: encoded, typ: Self.type)
    }

    /// Reads verified claims (the payload of a JWS already verified), refusing missing or
    /// mistyped members with the member's name.
    public init(payload: [UInt8]) throws {
        let value: JCSValue
        do { value = try JCSParser.parse(payload) } catch let error as JOSEError {
            throw JOSEError(.malformed, "the passport claims are not JSON Herald reads: \(error.reason)")
        }
        guard let members = value.objectValue else { throw JOSEError(.malformed, "the passport claims are not an object") }
        func string(_ name: String) throws -> String {
            guard let text = members[name]?.stringValue else {
                throw JOSEError(.malformed, members[name] == nil ? "claim \(name) is missing" : "claim \(name) must be a string")
            }
            return text
        }
        func int(_ name: String) throws -> Int64 {
            guard let number = members[name]?.intValue else {
                throw JOSEError(.malformed, members[name] == nil ? "claim \(name) is missing" : "claim \(name) must be an integer")
            }
            return number
        }
        let level = try int("trust_level")
        guard let trustLevel = TrustLevel(rawValue: Int(level)) else { throw JOSEError(.malformed, "trust_level \(level) is outside 0–4") }
        guard let jwk = members["cnf"]?["jwk"] else { throw JOSEError(.malformed, "claim cnf.jwk is missing") }
        let key: PublicJWK
        do { key = try PublicJWK(jcs: jwk) } catch let error as JOSEError {
            throw JOSEError(.malformed, "cnf.jwk: \(error.reason)")
        }
        var status: StatusListReference?
        if let reference = members["status"] { status = try StatusListReference(reference) }
        var codeHash: String?
        if let value = members["code_hash"], !value.isNull { codeHash = try string("code_hash") }
        self.init(issuer: try string("iss"), subject: try string("sub"), issuedAt: try int("iat"),
                  expiresAt: try int("exp"), passportID: try string("jti"), agent: try PassportAgent(members["agent"]),
                  codeHash: codeHash, trustLevel: trustLevel, trustScore: Int(try int("trust_score")),
                  pipelineStage: try string("pipeline_stage"), confirmationKey: key, status: status)
    }
}
