import HeraldJOSE

extension FuzzTarget {
    /// ``JCSParser`` and ``JCS``: text the parser accepts canonicalizes to bytes that parse
    /// back to the same value and canonicalize to themselves (in both key orders); the
    /// passport fast path (`parse(_:canonicalExcluding:)`) accepts exactly the same texts
    /// and, when it cuts the signed bytes from the text, cuts exactly the canonical form.
    public static let jcs = FuzzTarget(
        name: "jcs",
        summary: "JCSParser / JCS: serialise→parse→serialise stable in both key orders; the canonical-excluding "
            + "fast path agrees with re-serialisation; errors are JOSEError"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "jcs"
        let value: JCSValue
        do { value = try JCSParser.parse(bytes) } catch {
            try Check.that(error is JOSEError, name, "parse threw \(type(of: error)), not JOSEError")
            let fastPathAccepts = (try? JCSParser.parse(bytes, canonicalExcluding: "signature")) != nil
            try Check.that(!fastPathAccepts, name,
                           "parse(_:canonicalExcluding:) accepted text parse(_:) refused: \(Check.show(bytes))")
            return
        }
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
