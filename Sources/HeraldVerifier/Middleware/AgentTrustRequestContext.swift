import HeraldCore
import Hummingbird

/// A request context that carries the agent an ``AgentTrustMiddleware`` verified. Add the
/// property to your own context, or use ``BasicAgentTrustRequestContext``.
public protocol AgentTrustRequestContext: RequestContext {
    /// Set by ``AgentTrustMiddleware`` before the route runs; nil on routes it does not guard.
    var trustedAgent: TrustedAgent? { get set }
}

extension AgentTrustRequestContext {
    /// The verified agent, for a route behind ``AgentTrustMiddleware``. Throws 401 when the
    /// route is reached without one (the middleware is missing from its group), so a
    /// misconfigured route fails closed rather than serving an anonymous caller.
    public func requireTrustedAgent() throws -> TrustedAgent {
        guard let trustedAgent else {
            throw HTTPError(.unauthorized, message: "this route needs a verified agent; it is not behind AgentTrustMiddleware")
        }
        return trustedAgent
    }
}

/// A ``BasicRequestContext`` with ``AgentTrustRequestContext/trustedAgent``.
public struct BasicAgentTrustRequestContext: AgentTrustRequestContext {
    /// Hummingbird's per-request state.
    public var coreContext: CoreRequestContextStorage
    /// The agent the middleware verified.
    public var trustedAgent: TrustedAgent?

    /// A context for a request from `source`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        trustedAgent = nil
    }
}
