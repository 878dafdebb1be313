import Foundation
import HeraldCore
import HeraldVerifier
import Hummingbird

/// The example's routes: one open health check, and four operations at rising minimum
/// levels, each answering who called and at which level.
enum RelyingPartyRoutes {
    /// What every protected route answers.
    struct Answer: ResponseEncodable {
        let route: String
        let minimum: String
        let agent: String
        let issuer: String
        let level: String
        let passportLevel: String
        let claimedLevel: String?
        let bodySHA256: String

        enum CodingKeys: String, CodingKey {
            case route, minimum, agent, issuer, level
            case passportLevel = "passport_level"
            case claimedLevel = "claimed_level"
            case bodySHA256 = "body_sha256"
        }
    }

    /// The operations and their minimum levels (what an OpenAPI `AgentTrust: [Ln]` says).
    static let operations: [(method: HTTPRequest.Method, path: String, minimum: TrustLevel)] = [
        (.get, "/public", .l0), (.get, "/reports", .l2), (.post, "/deploy", .l3), (.post, "/payments", .l4),
    ]

    static func router(verifier: AgentSignatureVerifier) -> Router<RelyingPartyContext> {
        let router = Router(context: RelyingPartyContext.self)
        router.get("/health") { _, _ in "ok\n" }
        for operation in operations {
            router.group()
                .add(middleware: AgentTrustMiddleware(minimumLevel: operation.minimum, signatureVerifier: verifier))
                .on(RouterPath(operation.path), method: operation.method) { request, context -> Answer in
                    try await answer(request, context, path: operation.path, minimum: operation.minimum)
                }
        }
        return router
    }

    private static func answer(_ request: Request, _ context: RelyingPartyContext, path: String,
                               minimum: TrustLevel) async throws -> Answer {
        // Fails closed (401) if the route were ever reached without the middleware.
        let trusted = try context.requireTrustedAgent()
        guard let agent = trusted.signature else { throw HTTPError(.unauthorized) }  // only signatures are accepted here
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)  // the middleware already read it; this is its copy
        return Answer(route: path, minimum: minimum.name, agent: trusted.subject, issuer: agent.issuer,
                      level: trusted.level.name, passportLevel: agent.passportLevel.name,
                      claimedLevel: agent.claimedLevel?.name,
                      bodySHA256: AgentSignatureMessage.bodyDigest(body.readableBytesView))
    }
}
