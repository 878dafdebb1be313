import Foundation
import HeraldJOSE
import HeraldServices
import HTTPTypes
import Hummingbird
import NIOCore

/// What an HTTP request presents to ``ClientAuthenticator``: the `Authorization` header and
/// the form, read into ``ClientAuthenticator/Credentials``, and the address the attempt is
/// counted against.
extension ClientAuthenticator {
    /// Authenticates the client of a request to one of the realm's OAuth endpoints (see
    /// ``authenticate(_:realm:address:directory:)``).
    func authenticate(_ request: Request, form: [String: String], realm: RealmRuntime, peer: SocketAddress?,
                      directory: Bool = false) async throws(ServiceError) -> ClientProfile
    {
        let basic = request.headers[.authorization]
        // The same Authorization header this realm runtime already verified: only the
        // brute-force limits are asked. Anything else in the form (another method, another
        // client_id) goes the full way, which refuses it as before.
        if let basic, form["client_assertion"] == nil, form["client_assertion_type"] == nil, form["client_secret"] == nil,
           let known = verifiedClients.profile(header: basic, realm: realm),
           form["client_id"].map({ $0 == known.client.clientID }) ?? true
        {
            let profile = try await admitVerified(known, realm: realm,
                                                  address: limiter.source(peer: peer, headers: request.headers))
            RequestRecord.noteClient(profile.client.clientID)
            return profile
        }
        let credentials = try Self.credentials(request, form: form, realm: realm)
        let profile = try await authenticate(credentials, realm: realm,
                                             address: limiter.source(peer: peer, headers: request.headers),
                                             directory: directory)
        if case .basic = credentials, let basic { verifiedClients.remember(header: basic, profile: profile, realm: realm) }
        RequestRecord.noteClient(profile.client.clientID)
        return profile
    }

    /// HTTP Basic for callers of the realm's own APIs (see ``authenticateCaller(clientID:secret:realm:address:)``).
    func authenticateCaller(basic header: String, realm: RealmRuntime, peer: SocketAddress?,
                            headers: HTTPFields) async throws(ServiceError) -> ClientProfile
    {
        if let known = verifiedClients.profile(header: header, realm: realm) {
            let profile = try await admitVerified(known, realm: realm, address: limiter.source(peer: peer, headers: headers))
            RequestRecord.noteClient(profile.client.clientID)
            return profile
        }
        guard let (clientID, secret) = Self.quickBasicCredentials(header) else {
            throw .invalidClient(realm: realm.name, reason: "malformed HTTP Basic credentials")
        }
        let profile = try await authenticateCaller(clientID: clientID, secret: secret, realm: realm,
                                                   address: limiter.source(peer: peer, headers: headers))
        verifiedClients.remember(header: header, profile: profile, realm: realm)
        RequestRecord.noteClient(profile.client.clientID)
        return profile
    }

    /// Reads the one authentication method of the request. What is refused here checked no
    /// credential, so it is not counted as a failed authentication.
    static func credentials(_ request: Request, form: [String: String], realm: RealmRuntime) throws(ServiceError)
        -> Credentials
    {
        let basic = request.headers[.authorization]
        let hasAssertion = form["client_assertion"] != nil || form["client_assertion_type"] != nil
        let methods = [basic != nil, hasAssertion, form["client_secret"] != nil].filter { $0 }.count
        if methods > 1 {
            throw .invalidRequest("use exactly one client authentication method per request")
        }
        if let basic {
            guard let (clientID, secret) = quickBasicCredentials(basic) else {
                throw .invalidClient(realm: realm.name, reason: "malformed HTTP Basic credentials")
            }
            if let formID = form["client_id"], formID != clientID {
                throw .invalidRequest("client_id in the body differs from the Authorization header")
            }
            return .basic(clientID: clientID, secret: secret)
        }
        if hasAssertion {
            guard form["client_assertion_type"] == assertionType else {
                throw .invalidRequest("client_assertion_type must be \(assertionType)")
            }
            guard let assertion = form["client_assertion"], !assertion.isEmpty else {
                throw .invalidRequest("client_assertion is missing")
            }
            let jws: UnverifiedJWS
            do { jws = try UnverifiedJWS(compact: assertion) } catch {
                throw .invalidClient(realm: realm.name, reason: "assertion: \(error)")
            }
            // Named by client_id, or else by the assertion's own sub; either way nothing in
            // the assertion is believed until its signature verifies.
            return .assertion(jws, clientID: form["client_id"] ?? unverifiedSubject(of: jws))
        }
        if let secret = form["client_secret"] {
            guard let clientID = form["client_id"] else {
                throw .invalidRequest("client_secret needs client_id beside it")
            }
            return .post(clientID: clientID, secret: secret)
        }
        throw .invalidClient(realm: realm.name, reason: "no client authentication in the request")
    }

    /// HTTP Basic client id and secret; RFC 6749 §2.3.1 form-urlencodes both before joining.
    static func basicCredentials(_ header: String) -> (clientID: String, secret: String)? {
        guard header.count > 6, header.prefix(6).lowercased() == "basic ",
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
              let clientID = FormBody.decode(Array(text[..<colon].utf8)),
              let secret = FormBody.decode(Array(text[text.index(after: colon)...].utf8))
        else { return nil }
        return (clientID, secret)
    }

    /// The client a request claims to be, authenticated or not: for the audit entry of a
    /// denial, so that failed attempts can be found by client.
    static func claimedClientID(_ request: Request, form: [String: String]) -> String? {
        if let header = request.headers[.authorization], let credentials = basicCredentials(header) {
            return credentials.clientID
        }
        if let clientID = form["client_id"] { return clientID }
        guard let assertion = form["client_assertion"], let jws = try? UnverifiedJWS(compact: assertion) else { return nil }
        return unverifiedSubject(of: jws)
    }

    /// ``basicCredentials(_:)`` without Foundation's character sets (this runs before it on
    /// every token request of an LDAP realm); nil when the header is not plain HTTP Basic.
    static func quickBasicCredentials(_ header: String) -> (clientID: String, secret: String)? {
        var bytes = Substring(header).utf8[...]
        guard bytes.count > 6, bytes.prefix(6).map({ $0 | 0x20 }) == Array("basic ".utf8) else { return nil }
        bytes = bytes.dropFirst(6)
        while bytes.first == UInt8(ascii: " ") || bytes.first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        while bytes.last == UInt8(ascii: " ") || bytes.last == UInt8(ascii: "\t") { bytes = bytes.dropLast() }
        guard let decoded = Data(base64Encoded: String(decoding: bytes, as: UTF8.self)),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")),
              let clientID = FormBody.decode(decoded[..<colon]),
              let secret = FormBody.decode(decoded[decoded.index(after: colon)...])
        else { return nil }
        return (clientID, secret)
    }
}
