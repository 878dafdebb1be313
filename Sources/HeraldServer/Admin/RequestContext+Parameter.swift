import Hummingbird

extension RequestContext {
    /// The path parameter `name` of the route; a 400 if the route has none of that name.
    func parameter(_ name: String) throws -> String {
        guard let value = parameters.get(name) else { throw OAuthError.invalidRequest("missing path parameter \(name)") }
        return value
    }
}
