import Foundation
import HeraldJOSE

extension FuzzTarget {
    /// ``JCSParser`` and ``JCS``: text the parser accepts canonicalizes to bytes that parse
    /// back to the same value and canonicalize to themselves (in both key orders); the
    /// passport fast path (`parse(_:canonicalExcluding:)`) accepts exactly the same texts
    /// and, when it cuts the signed bytes from the text, cuts exactly the canonical form;
    /// the duplicate-member check accepts everything the parser accepts and nothing that
    /// Foundation's JSON reader refuses.
    public static let jcs = FuzzTarget(
        name: "jcs",
        summary: "JCSParser / JCS: serialise→parse→serialise stable in both key orders; the canonical-excluding "
            + "fast path agrees with re-serialisation; checkUniqueMemberNames accepts only JSON (JSONSerialization) "
            + "and all JCSParser accepts; errors are JOSEError"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "jcs"
        // The duplicate-member check that guards JWS headers and payloads reads any RFC 8259
        // number: what it accepts must be JSON to Foundation too (except numbers with an
        // exponent, which Foundation refuses beyond the range of a Double, as RFC 8259 §6
        // lets it).
        let unique = (try? JCSParser.checkUniqueMemberNames(bytes)) != nil
        let hasExponent = zip(bytes, bytes.dropFirst()).contains { previous, byte in
            (byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E"))
                && (previous >= UInt8(ascii: "0") && previous <= UInt8(ascii: "9"))
        }
        if unique, !hasExponent {
            let foundation = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
            try Check.that(foundation != nil, name,
                           "checkUniqueMemberNames accepted text JSONSerialization refuses: \(Check.show(bytes))")
        }
        let value: JCSValue
        do { value = try JCSParser.parse(bytes) } catch {
            try Check.that(error is JOSEError, name, "parse threw \(type(of: error)), not JOSEError")
            let fastPathAccepts = (try? JCSParser.parse(bytes, canonicalExcluding: "signature")) != nil
            try Check.that(!fastPathAccepts, name,
                           "parse(_:canonicalExcluding:) accepted text parse(_:) refused: \(Check.show(bytes))")
            return
        }
        try Check.that(unique, name, "parse accepted text checkUniqueMemberNames refuses: \(Check.show(bytes))")
        try checkCanonicalRoundTrip(value, name: name)

        let document: JCSDocument
        do { document = try JCSParser.parse(bytes, canonicalExcluding: "signature") } catch {
            throw FuzzPropertyViolation(name, "parse(_:canonicalExcluding:) refused text parse(_:) accepted (\(error)): "
                                        + Check.show(bytes))
        }
        try Check.that(JCS.canonicalize(document.value) == JCS.canonicalize(value), name,
                       "the two parse entry points read different values from \(Check.show(bytes))")
        guard case .object(var members) = value else {
            try Check.that(document.canonicalRest == nil, name, "a canonical rest was cut from a non-object")
            return
        }
        members.removeValue(forKey: "signature")
        let expected = JCS.canonicalize(.object(members))
        if let rest = document.canonicalRest {
            try Check.that(rest == expected, name, "the canonical rest cut from \(Check.show(bytes)) is "
                           + "\(Check.show(rest)), re-serialisation gives \(Check.show(expected))")
        }
        // Canonical text takes the fast path, so the parser's canonical tracking is exact
        // (except around escapes, which it conservatively treats as not canonical, though
        // JCS writes some: `\"`, `\\`, control characters).
        let canonical = JCS.canonicalize(value)
        if !canonical.contains(UInt8(ascii: "\\")),
           let again = try? JCSParser.parse(canonical, canonicalExcluding: "signature") {
            try Check.that(again.canonicalRest == expected, name,
                           "canonical text \(Check.show(canonical)) did not yield its canonical rest")
        }
    }

    /// Canonical bytes parse back to the same value and canonicalize to themselves.
    static func checkCanonicalRoundTrip(_ value: JCSValue, name: String) throws(FuzzPropertyViolation) {
        for order in [JCS.KeyOrder.utf16, .codePoint] {
            let canonical = JCS.canonicalize(value, order: order)
            let reparsed: JCSValue
            do { reparsed = try JCSParser.parse(canonical) } catch {
                throw FuzzPropertyViolation(name, "canonical form \(Check.show(canonical)) does not parse: \(error)")
            }
            try Check.that(reparsed == value, name, "canonical form \(Check.show(canonical)) parses to another value")
            let again = JCS.canonicalize(reparsed, order: order)
            try Check.that(again == canonical, name,
                           "canonicalization is not stable: \(Check.show(canonical)) → \(Check.show(again))")
        }
        if !JCS.isOrderAmbiguous(value) {
            try Check.that(JCS.canonicalize(value, order: .utf16) == JCS.canonicalize(value, order: .codePoint), name,
                           "the key orders differ on a value isOrderAmbiguous calls unambiguous")
        }
    }
}
