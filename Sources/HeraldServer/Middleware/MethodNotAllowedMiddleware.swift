import Hummingbird

/// RFC 9110 §15.5.6: a request for a path Herald routes, with a method it does not route
/// there, is `405 method_not_allowed` with an `Allow` header naming the methods it does,
/// rather than the router's bare 404 (which stays for paths Herald does not route at all).
///
/// Add it to the router after every route: Hummingbird wraps a router middleware around the
/// endpoints added after it and around the not-found responder, which is built last, so
/// added last it sees exactly the requests no endpoint took.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// One route path: its components (nil for a capture) and the methods served there.
    private struct Template: Sendable {
        let components: [Substring?]
        let methods: [String]
    }

    private let templates: [Template]

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: [String]] = [:]
        var components: [String: [Substring?]] = [:]
        for route in routes {
            let key = route.path.description
            methods[key, default: []].append(route.method.rawValue)
            components[key] = route.path.components.map { component in
                let text = component.description
                return text.hasPrefix("{") && text.hasSuffix("}") ? nil : Substring(text)
            }
        }
        templates = components.keys.sorted().map { Template(components: components[$0]!, methods: methods[$0]!.sorted()) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = allowedMethods(path: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            let body = #"{"error":"method_not_allowed","error_description":"use \#(allowed.joined(separator: " or "))"}"#
            return Response(status: .methodNotAllowed,
                            headers: [.allow: allowed.joined(separator: ", "), .contentType: "application/json",
                                      .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    /// The methods routed for `path`, empty when no route has this path.
    func allowedMethods(path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: Set<String> = []
        for template in templates where template.components.count == segments.count {
            if zip(template.components, segments).allSatisfy({ $0 == nil || $0 == $1 }) {
                allowed.formUnion(template.methods)
            }
        }
        return allowed.sorted()
    }
}
