import Foundation
import HeraldVerifier
import Hummingbird

/// The example's request context: what ``AgentTrustMiddleware`` needs (the verified agent)
/// plus a JSON encoder that writes sorted keys and plain slashes, so answers read well in
/// a terminal.
struct RelyingPartyContext: AgentTrustRequestContext {
    var coreContext: CoreRequestContextStorage
    var trustedAgent: TrustedAgent?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        trustedAgent = nil
    }

    var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
