import HeraldServices
import Hummingbird

extension RealmRegistry {
    /// The realm named by the `realm` path parameter, or the default realm on host-root
    /// paths; a JSON 404 when there is none.
    func runtime(for context: some RequestContext) throws(OAuthError) -> RealmRuntime {
        let name = context.parameters.get("realm") ?? defaultRealm ?? ""
        guard let runtime = runtime(named: name) else { throw .notFound("realm '\(name)' does not exist") }
        return runtime
    }
}

extension Response {
    /// A JSON response from already-encoded bytes.
    static func json(_ bytes: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:])
        -> Response
    {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
