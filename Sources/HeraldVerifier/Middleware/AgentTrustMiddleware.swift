import Foundation
import HeraldCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Guards routes with the agent-trust credentials Herald issues, as the OpenAPI
/// `x-agent-trust` requirement `AgentTrust: [L3]` describes:
///
/// - `Authorization: Bearer <access token>`, verified by a ``HeraldTokenVerifier``;
/// - `Agent-Signature` + `Agent-Passport` (wire-formats §5), verified by an
///   ``AgentSignatureVerifier`` over the method, the target as sent and the body's SHA-256;
///   the body is read (up to ``maximumBodyBytes``, 413 beyond) and handed on to the route.
///
/// With both, they must name the same subject, the signature's `trust` may not exceed the
/// token's level, and the effective level is the lower of the two. The route sees the
/// result as ``AgentTrustRequestContext/trustedAgent``.
///
/// Refusals are JSON `{"error","reason","error_description"}` — `reason` is one distinct
/// code per cause (the token verifier's and signature verifier's codes, plus
/// `missing_credentials`, `subject_mismatch`, `trust_exceeds_token`, `body_too_large`) —
/// with 401 and a `WWW-Authenticate` challenge (`Bearer error="invalid_token"` or
/// `AgentSignature …`) for missing or invalid credentials, 403 for a level below
/// ``minimumLevel``, 413 for a body over the bound and 503 when keys or status lists cannot
/// be had (the caller may retry).
public struct AgentTrustMiddleware<Context: AgentTrustRequestContext>: RouterMiddleware {
    /// The level a request must reach (`AgentTrust: [L<n>]`).
    public let minimumLevel: TrustLevel
    /// Verifies bearer tokens; nil refuses them as unsupported credentials.
    public let tokenVerifier: HeraldTokenVerifier?
    /// Verifies signed requests; nil refuses them as unsupported credentials.
    public let signatureVerifier: AgentSignatureVerifier?
    /// The largest body read to hash a signed request.
    public let maximumBodyBytes: Int
    private let clock: any HeraldClock

    /// A middleware requiring `minimumLevel`, accepting the credentials whose verifier is
    /// given (at least one).
    public init(minimumLevel: TrustLevel, tokenVerifier: HeraldTokenVerifier? = nil,
                signatureVerifier: AgentSignatureVerifier? = nil, maximumBodyBytes: Int = 1 << 20,
                clock: any HeraldClock = SystemClock()) {
        precondition(tokenVerifier != nil || signatureVerifier != nil, "AgentTrustMiddleware needs a verifier")
        precondition(maximumBodyBytes >= 0, "the body bound is a number of bytes")
        self.minimumLevel = minimumLevel
        self.tokenVerifier = tokenVerifier
        self.signatureVerifier = signatureVerifier
        self.maximumBodyBytes = maximumBodyBytes
        self.clock = clock
    }

    /// Verifies the request's credentials and runs `next` with the ``TrustedAgent`` in the
    /// context, or answers the refusal without running it.
    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        do {
            context.trustedAgent = try await verify(&request)
        } catch let refusal as AgentTrustRefusal {
            return refusal.response
        }
        return try await next(request, context)
    }

    private func verify(_ request: inout Request) async throws -> TrustedAgent {
        let bearer = try Self.bearerToken(request.headers[values: .authorization])
        let signatureValues = request.headers[values: AgentTrustFields.signature]
        // Several fields are combined as RFC 9110 §5.3 says, which the parser then refuses
        // as a duplicate parameter.
        let signature = signatureValues.count <= 1 ? signatureValues.first : signatureValues.joined(separator: ", ")
        let passportValues = request.headers[values: AgentTrustFields.passport]
        // Two passports would leave which one the signature speaks for to the order of the
        // fields (and a proxy may reorder or fold them): refused, never the first taken.
        guard passportValues.count <= 1 else {
            throw AgentTrustRefusal.unauthorized("malformed_header",
                "the request has \(passportValues.count) Agent-Passport fields; send exactly one, the passport of "
                + "the key that signed the request", scheme: .signature)
        }
        let passport = passportValues.first
        guard bearer != nil || signature != nil || passport != nil else {
            throw AgentTrustRefusal.unauthorized("missing_credentials",
                "this operation needs \(minimumLevel.name): send a Herald access token as Authorization: Bearer, "
                + "or sign the request (Agent-Signature and Agent-Passport, wire-formats §5)",
                scheme: acceptedSchemes)
        }
        var token: VerifiedAccessToken?
        if let bearer { token = try await verifyToken(bearer) }
        var agent: VerifiedAgent?
        if signature != nil || passport != nil { agent = try await verifySignature(&request, signature, passport) }
        if let token, let agent {
            guard token.subject == agent.agentID else {
                throw AgentTrustRefusal.unauthorized("subject_mismatch",
                    "the access token is for \(token.subject) but the passport is for \(agent.agentID); "
                    + "send the token and passport of the same agent", scheme: .both)
            }
            if let claimed = agent.claimedLevel, claimed > token.level {
                throw AgentTrustRefusal.forbidden("trust_exceeds_token",
                    "the signature claims trust \(claimed.name) but the access token grants \(token.level.name); "
                    + "claim at most the token's level", scheme: .signature)
            }
        }
        let trusted = TrustedAgent(token: token, signature: agent)
        guard trusted.level >= minimumLevel else {
            throw AgentTrustRefusal.forbidden("insufficient_trust",
                "this operation needs \(minimumLevel.name); the request acts at \(trusted.level.name)",
                scheme: token != nil ? .bearer : .signature)
        }
        return trusted
    }

    private var acceptedSchemes: AgentTrustRefusal.Scheme {
        switch (tokenVerifier != nil, signatureVerifier != nil) {
        case (true, false): .bearer
        case (false, true): .signature
        default: .both
        }
    }

    private func verifyToken(_ token: String) async throws -> VerifiedAccessToken {
        guard let tokenVerifier else {
            throw AgentTrustRefusal.unauthorized("unsupported_credentials",
                "this operation does not take bearer tokens; sign the request (wire-formats §5)", scheme: .signature)
        }
        do {
            // The level is checked once, below, against the combined credentials.
            return try await tokenVerifier.verify(token, minimumLevel: .l0)
        } catch {
            if error.isTemporary { throw AgentTrustRefusal.unavailable(error.code.name, error.reason) }
            if error.code == .insufficientTrust { throw AgentTrustRefusal.forbidden(error.code.name, error.reason, scheme: .bearer) }
            throw AgentTrustRefusal.unauthorized(error.code.name, error.reason, scheme: .bearer)
        }
    }

    private func verifySignature(_ request: inout Request, _ signature: String?, _ passport: String?)
        async throws -> VerifiedAgent {
        guard let signatureVerifier else {
            throw AgentTrustRefusal.unauthorized("unsupported_credentials",
                "this operation does not take signed requests; send an access token as Authorization: Bearer",
                scheme: .bearer)
        }
        let body = try await collectBody(&request)
        do {
            return try await signatureVerifier.verify(
                method: request.method.rawValue, target: request.head.path ?? "/", signature: signature,
                passport: passport, body: body.readableBytesView, now: clock.now(), minimumLevel: nil)
        } catch {
            switch error.reason {
            case .issuerUnavailable, .replayCacheFull: throw AgentTrustRefusal.unavailable(error.reason.rawValue, error.message)
            case .insufficientTrust: throw AgentTrustRefusal.forbidden(error.reason.rawValue, error.message, scheme: .signature)
            default: throw AgentTrustRefusal.unauthorized(error.reason.rawValue, error.message, scheme: .signature)
            }
        }
    }

    /// The body, read once and put back for the route.
    private func collectBody(_ request: inout Request) async throws -> ByteBuffer {
        let tooLarge = AgentTrustRefusal(status: .contentTooLarge, error: "invalid_request", reason: "body_too_large",
            description: "the body is larger than \(maximumBodyBytes) bytes, the most this operation reads to check its signature",
            challenges: [])
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes { throw tooLarge }
        do { return try await request.collectBody(upTo: maximumBodyBytes) } catch is NIOTooManyBytesError { throw tooLarge }
    }

    /// The token of the one `Authorization: Bearer` field; nil without one (another scheme
    /// is not a credential here). Two Authorization fields, or an empty token, are refused.
    /// Read as UTF-8 bytes: Foundation's `trimmingCharacters` and `contains` bridge the
    /// string to UTF-16 first, which cost more than the token's signature check.
    static func bearerToken(_ values: [String]) throws -> String? {
        guard !values.isEmpty else { return nil }
        guard values.count == 1 else {
            throw AgentTrustRefusal.unauthorized("malformed", "the request has \(values.count) Authorization fields; send one",
                                                 scheme: .bearer)
        }
        let value = values[0], bytes = value.utf8
        guard bytes.count >= 6 else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: 6)
        // `| 0x20` folds ASCII upper case only; the scheme is case-insensitive (RFC 9110 §11.1).
        guard bytes[..<start].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }),
              start == bytes.endIndex || Substring.isBlank(bytes[start]) else { return nil }
        let token = value[start...].trimmingBlanks
        guard !token.isEmpty, !token.utf8.contains(where: Substring.isBlank) else {
            throw AgentTrustRefusal.unauthorized("malformed", "Authorization: Bearer needs exactly one token (RFC 6750 §2.1)",
                                                 scheme: .bearer)
        }
        return String(token)
    }
}
