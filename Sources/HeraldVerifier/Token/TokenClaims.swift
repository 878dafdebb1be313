import Foundation
import HeraldCore
import HeraldJOSE

/// The claims of a signature-verified access token, read strictly: a member of the wrong
/// JSON type is `malformed`, never ignored (a string `exp` must not mean "no expiry").
struct TokenClaims: Sendable {
    let value: JCSValue
    let issuer: String
    let subject: String
    let audiences: [String]
    let expiresAt: Int64
    let notBefore: Int64?
    let issuedAt: Int64?
    let tokenID: String?
    let clientID: String?
    let scopes: [String]
    let roles: [String]
    let trust: MCPSTrust
    let actors: [VerifiedAccessToken.ActingParty]
    let identityProvider: String?
    let federatedFrom: String?
    let status: StatusListReference?

    /// The deepest `act` nesting read; Herald's delegation chains are a few links long.
    static let maximumActorDepth = 16

    init(payload: [UInt8]) throws(HeraldTokenVerificationError) {
        let parsed: JCSValue
        do { parsed = try JCSParser.parse(payload) } catch {
            throw Self.malformed("the claims are not JSON Herald reads (integers only, no floats)")
        }
        guard case .object(let members) = parsed else { throw Self.malformed("the claims are not a JSON object") }
        value = parsed
        issuer = try Self.string(members, "iss", required: true)!
        subject = try Self.string(members, "sub", required: true)!
        switch members["aud"] {
        case .string(let one)?: audiences = [one]
        case .array(let many)? where !many.isEmpty && many.allSatisfy({ $0.stringValue != nil }):
            audiences = many.compactMap(\.stringValue)
        case nil: throw Self.malformed("the token has no aud")
        default: throw Self.malformed("aud must be a string or a non-empty array of strings")
        }
        expiresAt = try Self.int(members, "exp", required: true)!
        notBefore = try Self.int(members, "nbf", required: false)
        issuedAt = try Self.int(members, "iat", required: false)
        tokenID = try Self.string(members, "jti", required: false)
        clientID = try Self.string(members, "client_id", required: false)
        scopes = try Self.string(members, "scope", required: false).map { $0.split(separator: " ").map(String.init) } ?? []
        switch members["realm_access"] {
        case nil, .null?: roles = []
        case .object(let access)?:
            guard let list = access["roles"]?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw Self.malformed("realm_access.roles must be an array of strings")
            }
            roles = list.compactMap(\.stringValue)
        default: throw Self.malformed("realm_access must be an object")
        }
        trust = try Self.trust(members["mcps"])
        actors = try Self.actors(members["act"])
        identityProvider = try Self.string(members, "idp", required: false)
        federatedFrom = try Self.string(members, "federated_from", required: false)
        switch members["status"] {
        case nil, .null?: status = nil
        case let claim?:
            do { status = try StatusListReference(claim) } catch {
                throw Self.malformed("status must be {\"status_list\":{\"idx\":N,\"uri\":\"…\"}}")
            }
        }
    }

    private static func malformed(_ reason: String) -> HeraldTokenVerificationError {
        HeraldTokenVerificationError(.malformed, reason)
    }

    private static func string(_ members: [String: JCSValue], _ name: String, required: Bool)
        throws(HeraldTokenVerificationError) -> String? {
        switch members[name] {
        case .string(let text)?: return text
        case nil, .null?:
            if required { throw malformed("the token has no \(name)") }
            return nil
        case let other?: throw malformed("\(name) must be a string, not \(other.typeName)")
        }
    }

    private static func int(_ members: [String: JCSValue], _ name: String, required: Bool)
        throws(HeraldTokenVerificationError) -> Int64? {
        switch members[name] {
        case .int(let number)?: return number
        case nil, .null?:
            if required { throw malformed("the token has no \(name)") }
            return nil
        case let other?: throw malformed("\(name) must be an integer NumericDate, not \(other.typeName)")
        }
    }

    private static func trust(_ claim: JCSValue?) throws(HeraldTokenVerificationError) -> MCPSTrust {
        guard case .object(let members)? = claim else {
            throw malformed(claim == nil ? "the token has no mcps claim (wire-formats §2)" : "mcps must be an object")
        }
        guard let raw = members["trust_level"]?.intValue, let level = TrustLevel(rawValue: Int(raw)) else {
            throw malformed("mcps.trust_level must be an integer 0–4")
        }
        func optionalInt(_ name: String) throws(HeraldTokenVerificationError) -> Int64? {
            try int(members, name, required: false).map { $0 }
        }
        let payment: Bool?
        switch members["payment_enabled"] {
        case .bool(let flag)?: payment = flag
        case nil, .null?: payment = nil
        default: throw malformed("mcps.payment_enabled must be a boolean")
        }
        let scopes = try string(members, "scopes", required: false).map {
            // Spaces trimmed by hand: Foundation's trimmingCharacters bridges to UTF-16 per call,
            // on every token.
            $0.split(separator: ",").map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
                .filter { !$0.isEmpty }
        } ?? []
        return MCPSTrust(level: level, label: try string(members, "trust_label", required: false), paymentEnabled: payment,
                         transactionLimit: try optionalInt("tx_limit"), dailyLimit: try optionalInt("day_limit"),
                         scopes: scopes, trustScore: try optionalInt("trust_score"),
                         pipelineStage: try string(members, "pipeline_stage", required: false))
    }

    private static func actors(_ claim: JCSValue?) throws(HeraldTokenVerificationError) -> [VerifiedAccessToken.ActingParty] {
        var chain: [VerifiedAccessToken.ActingParty] = []
        var current = claim
        while let link = current, !link.isNull {
            guard case .object(let members) = link else { throw malformed("act must be an object (RFC 8693 §4.1)") }
            guard chain.count < maximumActorDepth else { throw malformed("act is nested deeper than \(maximumActorDepth)") }
            guard let subject = try string(members, "sub", required: false) else { throw malformed("act has no sub") }
            chain.append(.init(subject: subject, clientID: try string(members, "client_id", required: false)))
            current = members["act"]
        }
        return chain
    }
}
