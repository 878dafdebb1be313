import Hummingbird
import NIOCore

/// Herald's request context: Hummingbird's core storage plus the connection's remote
/// address, which the brute-force limits count failed client authentications against.
public struct HeraldRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Kept rather than its address, so requests that never ask pay nothing for it.
    private let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The peer of the connection; nil when it has none (a test channel, a Unix socket).
    public var remoteAddress: SocketAddress? { channel.remoteAddress }
}
