import HTTPTypes

/// The header field names the middleware reads, made once: a generic type cannot hold
/// static stored properties, and building a name validates and lower-cases it per request.
enum AgentTrustFields {
    static let signature = HTTPField.Name(AgentSignatureHeader.name)!
    static let passport = HTTPField.Name(AgentSignatureVerifier.passportHeaderName)!
}
