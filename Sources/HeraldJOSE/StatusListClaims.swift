import Foundation
import HeraldCore

/// The claims of a status list token (draft-ietf-oauth-status-list §5.1, wire-formats §8),
/// header `typ: statuslist+jwt`.
public struct StatusListClaims: Sendable, Hashable {
    /// The JWS `typ` of a status list token.
    public static let type = "statuslist+jwt"

    /// `iss`, if set: the realm issuer.
    public var issuer: String?
    /// `sub`: the URI of this list, equal to the `uri` of the entries that point at it.
    public var subject: String
    /// `iat`, whole seconds.
    public var issuedAt: Int64
    /// `exp`, whole seconds; nil to leave it out.
    public var expiresAt: Int64?
    /// `ttl`: seconds a relying party may cache the list before fetching it again.
    public var timeToLive: Int?
    public var list: StatusList

    public init(issuer: String? = nil, subject: String, issuedAt: Int64, expiresAt: Int64?, timeToLive: Int?,
                list: StatusList) {
        self.issuer = issuer
        self.subject = subject
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.timeToLive = timeToLive
        self.list = list
    }

    /// The claims as compact JSON (compresses the list).
    public func encoded() throws -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + list.bytes.count / 4)
        writer.beginObject()
        if let issuer { writer.member("iss", issuer) }
        writer.member("sub", subject)
        writer.key("iat"); writer.int(Int(issuedAt))
        if let expiresAt { writer.key("exp"); writer.int(Int(expiresAt)) }
        if let timeToLive { writer.member("ttl", timeToLive) }
        writer.key("status_list")
        try list.write(to: &writer)
        writer.endObject()
        return writer.bytes
    }

    /// The compact JWS, signed by `signer` with `typ: statuslist+jwt`.
    public func signed(by signer: JWTSigner) throws -> String {
        try signer.sign(claims: try encoded(), typ: Self.type)
    }

    /// Reads verified claims.
    public init(payload: [UInt8]) throws {
        let value = try JCSParser.parse(payload)
        guard let subject = value["sub"]?.stringValue, let issuedAt = value["iat"]?.intValue,
              let list = value["status_list"]
        else { throw JOSEError(.malformed, "a status list token needs sub, iat and status_list") }
        self.init(issuer: value["iss"]?.stringValue, subject: subject, issuedAt: issuedAt,
                  expiresAt: value["exp"]?.intValue, timeToLive: value["ttl"]?.intValue.map { Int($0) },
                  list: try StatusList(list))
    }
}
