import HeraldServices
import HTTPTypes
import NIOCore

extension AuthenticationLimiter {
    /// The address an attempt is counted against (see ``ClientAddress/source(peer:forwardedFor:trustedProxies:)``):
    /// the connection's peer, or the client a trusted proxy names in `X-Forwarded-For`.
    func source(peer: SocketAddress?, headers: HTTPFields) -> ClientAddress {
        let address = ClientAddress(peer)
        guard !trustedProxies.isEmpty else { return address }
        let forwarded = headers[values: HTTPField.Name("X-Forwarded-For")!]
        return ClientAddress.source(peer: address, forwardedFor: forwarded, trustedProxies: trustedProxies)
    }
}
