import Foundation
import HeraldCore
import HeraldServices
import HTTPTypes
import Hummingbird
import NIOCore

/// Authenticates the registered client calling one of a realm's own APIs (outcome reports,
/// the MCP trust gate, passports): HTTP Basic with its secret, or its access token as Bearer
/// (wire-formats §6). Anything else is 401 with a `WWW-Authenticate` challenge.
struct CallerAuthenticator: Sendable {
    let clients: ClientAuthenticator
    let tokens: AccessTokenVerifier
    let book: LifecycleBook

    /// Who is calling: the client, and the agent it acts as.
    struct Caller: Sendable {
        let clientID: String
        let agentID: String
        /// True when the caller presented an access token (so it is the agent itself).
        let viaToken: Bool
    }

    /// `peer` is the connection's remote address, for the brute-force limits on HTTP Basic.
    func authenticate(_ request: Request, realm: RealmRuntime, peer: SocketAddress?) async throws(OAuthError) -> Caller {
        let header = request.headers[.authorization]
        if let token = AccessTokenVerifier.bearerToken(header) {
            let active: AccessTokenVerifier.Active
            do { active = try tokens.verifyActive(token, in: realm, forHerald: true, book: book) } catch {
                throw unauthorized(realm, error.description, error: true)
            }
            let verified = active.verified
            // An upstream user's token names no agent of this realm in sub: taking sub as the
            // caller would let an agent added later under that id be impersonated.
            if let refusal = verified.claims.notAnAgentCredential { throw unauthorized(realm, refusal, error: true) }
            // Likewise a peer's agent: its sub is the peer's, not this realm's agent of that id.
            if let entity = verified.claims.federated_from {
                throw unauthorized(realm, "this token was exchanged for agent \(verified.claims.sub) of federation peer "
                                   + "\(entity); it is not an agent credential of this realm: use the agent's own token",
                                   error: true)
            }
            if let stopped = active.stoppedActor {
                throw OAuthError(status: .forbidden, code: "access_denied",
                                 description: LifecycleBook.stoppedActorDescription(stopped))
            }
            RequestRecord.noteClient(verified.claims.client_id ?? verified.claims.sub)
            return try serving(Caller(clientID: verified.claims.client_id ?? verified.claims.sub,
                                      agentID: verified.claims.sub, viaToken: true), realm: realm)
        }
        if let header, header.lowercased().hasPrefix("basic ") {
            let profile: ClientProfile
            do throws(ServiceError) {
                profile = try await clients.authenticateCaller(basic: header, realm: realm, peer: peer,
                                                               headers: request.headers)
            } catch {
                // A lockout answers as it is (429, Retry-After); any other failure is the
                // one generic challenge.
                if error.code == .lockedOut { throw OAuthError(error) }
                throw OAuthError(status: .unauthorized, code: "invalid_client", description: "client authentication failed",
                                 authenticateChallenge: "Basic realm=\"\(realm.name)\"")
            }
            return try serving(Caller(clientID: profile.client.clientID, agentID: profile.client.subject, viaToken: false),
                               realm: realm)
        }
        throw unauthorized(realm, "authenticate as a registered client: HTTP Basic with its secret, or its access token as Bearer",
                           error: false)
    }

    /// A caller whose own agent is stopped (kill switch, SUSPENDED, REVOKED) is refused too.
    private func serving(_ caller: Caller, realm: RealmRuntime) throws(OAuthError) -> Caller {
        guard !book.standing(realm: realm.name, agentID: caller.agentID, org: nil).isStopped else {
            throw OAuthError(status: .forbidden, code: "access_denied", description: "the calling agent is stopped")
        }
        return caller
    }

    private func unauthorized(_ realm: RealmRuntime, _ description: String, error: Bool) -> OAuthError {
        OAuthError(status: .unauthorized, code: error ? "invalid_token" : "invalid_client", description: description,
                   authenticateChallenge: "Bearer realm=\"\(realm.name)\"" + (error ? ", error=\"invalid_token\"" : ""))
    }
}
