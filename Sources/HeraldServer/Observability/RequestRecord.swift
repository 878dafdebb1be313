import Synchronization

/// What the access log learns about a request while it is handled: its id, and the client
/// once one has authenticated.
///
/// Bound to the request's task (``current``) by ``AccessLogMiddleware``, so the parts that
/// know the client (client authentication) can note it without every endpoint passing a
/// context around, and the logging system's metadata provider can add `request.id` to
/// every log line written while the request is handled.
public final class RequestRecord: Sendable {
    /// The record of the request the current task is handling; nil outside a request.
    @TaskLocal public static var current: RequestRecord?

    /// The request's id (``RequestID``), also returned in `X-Request-Id`.
    public let id: String
    private let client = Mutex<String?>(nil)

    public init(id: String) { self.id = id }

    /// The authenticated client, if any.
    public var clientID: String? { client.withLock { $0 } }

    /// Notes the client that authenticated in the current request.
    static func noteClient(_ clientID: String) {
        current?.client.withLock { $0 = clientID }
    }
}
