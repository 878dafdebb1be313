import Foundation
import HeraldJOSE

extension FuzzTarget {
    /// ``Base64URL``: decoding then encoding gives the text back (one spelling per value,
    /// so a token cannot be re-spelled past a cache or replay check), and encoding any
    /// bytes decodes to them.
    public static let base64url = FuzzTarget(
        name: "base64url",
        summary: "Base64URL: decode→encode identity on accepted text (unique spelling), encode→decode identity on "
            + "any bytes, decoded length matches"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "base64url"
        if let decoded = Base64URL.decode(bytes) {
            let spelled = Base64URL.encode(decoded)
            try Check.that(spelled.utf8.elementsEqual(bytes), name,
                           "\(Check.show(bytes)) decodes, but the bytes encode as \(spelled): two spellings")
            try Check.that(decoded.count == bytes.count * 3 / 4, name, "decoded length \(decoded.count) for "
                           + "\(bytes.count) characters")
        }
        let encoded = Base64URL.encode(bytes)
        try Check.that(Base64URL.decode(encoded) == bytes, name, "encode→decode changed \(bytes.count) bytes")
        try Check.that(!encoded.utf8.contains(UInt8(ascii: "=")), name, "the encoding has padding")
    }

    /// ``UnverifiedJWS`` and the protected-header reader: a compact token is split and
    /// decoded or refused with a JOSEError; no made-up token verifies with keys it was not
    /// signed with; the fast header reader reads exactly what `JSONDecoder` reads; a token
    /// signed with the fuzz key over the fuzzed header and payload verifies exactly when
    /// its header allows (alg ES256, kid absent or the key's, no crit).
    public static let jws = FuzzTarget(
        name: "jws",
        summary: "UnverifiedJWS / JOSEHeader: split+decode or JOSEError; forged tokens never verify; fast header "
            + "reader agrees with JSONDecoder; a token really signed over the fuzzed header verifies iff the header allows"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "jws"
        // 1. The bytes as a compact token.
        let token = String(decoding: bytes, as: UTF8.self)
        do {
            let parsed = try UnverifiedJWS(compact: token)
            do {
                _ = try parsed.verify(with: FuzzKeys.all)
                throw FuzzPropertyViolation(name, "a token the fuzz keys did not sign verified: \(Check.show(bytes))")
            } catch let error as JOSEError {
                _ = error
            } catch {
                throw FuzzPropertyViolation(name, "verify threw \(type(of: error)), not JOSEError")
            }
        } catch let violation as FuzzPropertyViolation {
            throw violation
        } catch {
            try Check.that(error is JOSEError, name, "UnverifiedJWS threw \(type(of: error)), not JOSEError")
        }

        // 2. The bytes as a protected header (up to a NUL), the rest as the payload.
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let header = Array(bytes[..<split])
        let payload = split < bytes.endIndex ? Array(bytes[(split + 1)...]) : Array("{}".utf8)
        let decoded = try checkHeaderReaders(header, name: name)
        try checkSignedToken(header: header, payload: payload, decoded: decoded, name: name)
    }

    /// The fast reader either declines or reads what `JSONDecoder` reads; returns the header
    /// the JWS parser will use (nil when it will refuse the header).
    static func checkHeaderReaders(_ header: [UInt8], name: String) throws(FuzzPropertyViolation) -> JOSEHeader? {
        let slow = try? JSONDecoder().decode(JOSEHeader.self, from: Data(header))
        guard let fast = JOSEHeader(fastParsing: header) else { return slow }
        guard let slow else {
            throw FuzzPropertyViolation(name, "the fast header reader accepted what JSONDecoder refuses: \(Check.show(header))")
        }
        func same(_ lhs: String?, _ rhs: String?) -> Bool {
            switch (lhs, rhs) {
            case (nil, nil): true
            case (let lhs?, let rhs?): Check.same(lhs, rhs)
            default: false
            }
        }
        let sameCrit = fast.crit?.count == slow.crit?.count
            && zip(fast.crit ?? [], slow.crit ?? []).allSatisfy { Check.same($0, $1) }
        try Check.that(Check.same(fast.alg, slow.alg) && same(fast.typ, slow.typ) && same(fast.kid, slow.kid) && sameCrit,
                       name, "the header readers disagree on \(Check.show(header)): fast \(fast), JSONDecoder \(slow)")
        return fast
    }

    /// Signs `header`.`payload` with the fuzz P-256 key (low-S, as Herald signs); the token
    /// must verify exactly when the header selects that key with ES256 and marks nothing
    /// critical, and header and payload are JSON naming no member twice.
    static func checkSignedToken(header: [UInt8], payload: [UInt8], decoded: JOSEHeader?,
                                 name: String) throws(FuzzPropertyViolation) {
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        guard let signature = try? FuzzKeys.p256Private.signature(for: Data(signingInput.utf8)) else {
            throw FuzzPropertyViolation(name, "the fuzz key could not sign")
        }
        let token = signingInput + "." + Base64URL.encode(ECDSALowS.normalized(Array(signature.rawRepresentation)))
        let key = FuzzKeys.p256
        let uniqueMembers = (try? JCSParser.checkUniqueMemberNames(header)) != nil
            && (try? JCSParser.checkUniqueMemberNames(payload)) != nil
        let shouldVerify = uniqueMembers && decoded.map { header in
            header.alg == "ES256" && header.crit == nil && (header.kid == nil || header.kid == key.kid)
        } ?? false
        let verified: VerifiedJWS?
        do { verified = try UnverifiedJWS(compact: token).verify(with: FuzzKeys.all) } catch {
            try Check.that(error is JOSEError, name, "a signed token failed with \(type(of: error)), not JOSEError")
            verified = nil
        }
        try Check.that((verified != nil) == shouldVerify, name, "a token signed by the fuzz key over header "
                       + "\(Check.show(header)) \(verified != nil ? "verified" : "was refused"); expected the opposite")
        if let verified {
            try Check.that(verified.payload == payload, name, "the verified payload is not the signed one")
            try Check.that(verified.key == key, name, "the token verified with the wrong key")
        }
    }

    /// ``PublicJWK``: a key read from a JWK writes out and reads back as itself; the
    /// `JSONDecoder` reader and the ``JCSValue`` reader accept the same JWKs (of the texts
    /// ``JCSParser`` reads) and agree on the thumbprint; a JWKS and
    /// a PEM are read or refused with a JOSEError.
    public static let jwk = FuzzTarget(
        name: "jwk",
        summary: "PublicJWK (JSON, JCS, JWKS, PEM): write→read identity, the two JWK readers accept the same "
            + "keys and agree on the thumbprint, errors are JOSEError"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "jwk"
        let data = Data(bytes)
        func checkRoundTrip(_ key: PublicJWK) throws(FuzzPropertyViolation) {
            let written = key.json(includeMetadata: true)
            guard let again = try? PublicJWK(json: Data(written.utf8)) else {
                throw FuzzPropertyViolation(name, "a key's own JWK does not read back: \(written)")
            }
            try Check.that(again.thumbprint == key.thumbprint && again.kid == key.kid, name,
                           "a key's own JWK reads back as another key: \(written)")
            if let pem = key.pemRepresentation {
                try Check.that((try? PublicJWK(pem: pem))?.thumbprint == key.thumbprint, name,
                               "a key's own PEM does not read back as it")
            }
        }
        var fromJSON: PublicJWK?
        do { fromJSON = try PublicJWK(json: data) } catch {
            try Check.that(error is JOSEError, name, "PublicJWK(json:) threw \(type(of: error))")
        }
        if let fromJSON { try checkRoundTrip(fromJSON) }
        if let value = try? JCSParser.parse(bytes) {
            var fromJCS: PublicJWK?
            do { fromJCS = try PublicJWK(jcs: value) } catch {
                try Check.that(error is JOSEError, name, "PublicJWK(jcs:) threw \(type(of: error))")
            }
            // Both readers promise the same refusals (the JCS one reads passports' and
            // bundles' keys, the JSON one registered client keys).
            try Check.that((fromJCS == nil) == (fromJSON == nil), name, "PublicJWK(json:) "
                           + "\(fromJSON == nil ? "refuses" : "accepts") and PublicJWK(jcs:) "
                           + "\(fromJCS == nil ? "refuses" : "accepts") \(Check.show(bytes))")
            if let fromJCS {
                try checkRoundTrip(fromJCS)
                if let fromJSON {
                    try Check.that(fromJSON.thumbprint == fromJCS.thumbprint && fromJSON.kid == fromJCS.kid, name,
                                   "the two JWK readers read different keys from \(Check.show(bytes))")
                }
            }
        }
        do {
            for key in try PublicJWK.parseSet(json: data) { try checkRoundTrip(key) }
        } catch let violation as FuzzPropertyViolation {
            throw violation
        } catch {
            try Check.that(error is JOSEError, name, "PublicJWK.parseSet threw \(type(of: error))")
        }
        do { try checkRoundTrip(try PublicJWK(pem: String(decoding: bytes, as: UTF8.self))) } catch let violation as FuzzPropertyViolation {
            throw violation
        } catch {
            try Check.that(error is JOSEError, name, "PublicJWK(pem:) threw \(type(of: error))")
        }
    }
}
