import Foundation
import HeraldJOSE

extension FuzzTarget {
    /// ``UnverifiedMCPSPassport``: a passport is read or refused with a JOSEError; the
    /// signed bytes it keeps are exactly the JCS of every member except `signature` (the
    /// fast path that cuts them from the text must never differ); a passport the fuzz key
    /// did not sign never verifies, and the same passport re-signed by the fuzz key does;
    /// its times read back from their own formatting.
    public static let mcps = FuzzTarget(
        name: "mcps",
        summary: "UnverifiedMCPSPassport: JOSEError or a passport whose signing input equals the JCS without "
            + "signature; unsigned passports never verify, re-signed ones do; timestamps re-read within 1 ms"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "mcps"
        let passport: UnverifiedMCPSPassport
        do { passport = try UnverifiedMCPSPassport(json: bytes) } catch {
            try Check.that(error is JOSEError, name, "UnverifiedMCPSPassport threw \(type(of: error))")
            return
        }
        guard case .object(var members)? = try? JCSParser.parse(bytes) else {
            throw FuzzPropertyViolation(name, "a passport was read from text JCSParser refuses")
        }
        members.removeValue(forKey: "signature")
        let expected = JCS.canonicalize(.object(members))
        try Check.that(passport.signingInput == expected, name, "the signing input \(Check.show(passport.signingInput)) "
                       + "is not the JCS without signature \(Check.show(expected))")

        for date in [passport.unverifiedPassport.issuedAt, passport.unverifiedPassport.expiresAt] {
            let text = MCPSTimestamp.format(date)
            guard let again = MCPSTimestamp.parse(text) else {
                throw FuzzPropertyViolation(name, "MCPSTimestamp.format wrote \(text), which it cannot parse")
            }
            try Check.that(abs(again.timeIntervalSince(date)) < 0.001, name,
                           "time \(date.timeIntervalSince1970) formats as \(text), which reads back as \(again.timeIntervalSince1970)")
        }

        do {
            _ = try passport.verify(with: FuzzKeys.all)
            // Only a signature by the fuzz key could verify, and no corpus file carries one
            // over its own content unless it was re-signed below and saved: report it.
            throw FuzzPropertyViolation(name, "a passport verified with the fuzz key it was not signed with: "
                                        + Check.show(bytes))
        } catch let violation as FuzzPropertyViolation {
            throw violation
        } catch {
            try Check.that(error is JOSEError, name, "verify threw \(type(of: error))")
        }

        // Re-signed by the fuzz key over its own signing input, it verifies (when the new
        // signature, 88 characters, still fits the size limit the old one fitted).
        guard passport.signingInput.count + #","signature":"""#.utf8.count + 88 <= MCPSPassport.maxBytes else { return }
        guard let signature = try? MCPSSignature.sign(passport.signingInput, with: FuzzKeys.p256Signing) else {
            throw FuzzPropertyViolation(name, "the fuzz key could not sign")
        }
        members["signature"] = .string(signature)
        let resigned: UnverifiedMCPSPassport
        do { resigned = try UnverifiedMCPSPassport(json: JCS.canonicalize(.object(members))) } catch {
            throw FuzzPropertyViolation(name, "the re-signed passport no longer parses: \(error)")
        }
        do { _ = try resigned.verify(with: [FuzzKeys.ed25519, FuzzKeys.p256]) } catch {
            throw FuzzPropertyViolation(name, "a passport re-signed by the fuzz key does not verify: \(error)")
        }
    }
}
