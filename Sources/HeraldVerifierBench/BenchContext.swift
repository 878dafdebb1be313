import HeraldVerifier
import Hummingbird
import Logging

/// The request context the bench's router runs with: an ``AgentTrustRequestContext`` built
/// from a bare logger, so requests can be handed to the router's responder directly (no
/// socket, no HTTP parser: what is measured is the router, the middleware and the checks).
struct BenchContext: AgentTrustRequestContext {
    struct Source: RequestContextSource {
        let logger: Logger
    }

    var coreContext: CoreRequestContextStorage
    var trustedAgent: TrustedAgent?

    init(source: Source) {
        coreContext = .init(source: source)
        trustedAgent = nil
    }
}
