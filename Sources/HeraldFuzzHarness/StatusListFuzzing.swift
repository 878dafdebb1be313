import HeraldJOSE

extension FuzzTarget {
    /// Token Status Lists (``StatusList``, ``StatusListClaims``, ``StatusListReference``):
    /// `lst` decodes (zlib inflate bounded at ``StatusList/maxDecodedBytes``) or is refused
    /// with a JOSEError; a decoded list encodes and decodes to the same bytes; claims read
    /// back as themselves; reading any index a reference may carry (up to 2^53) does not trap.
    public static let statusList = FuzzTarget(
        name: "statuslist",
        summary: "StatusList / StatusListClaims / StatusListReference: JOSEError or a list whose encode→decode "
            + "is identity; claims round-trip; lookups at any index up to 2^53 are total"
    ) { bytes throws(FuzzPropertyViolation) in
        let name = "statuslist"
        func checkList(_ list: StatusList) throws(FuzzPropertyViolation) {
            guard let encoded = try? list.encodedList() else {
                throw FuzzPropertyViolation(name, "a list of \(list.bytes.count) bytes does not encode")
            }
            guard let again = try? StatusList(bits: list.bits, encodedList: encoded) else {
                throw FuzzPropertyViolation(name, "an encoded list does not decode: \(encoded.prefix(80))")
            }
            try Check.that(again == list, name, "a list of \(list.bytes.count) bytes decodes differently after encoding")
            for index in [0, list.count - 1, list.count, Int(JCSValue.maxInteger)] where index >= 0 {
                let status = list[index]
                try Check.that(Int(status) < 1 << list.bits, name, "status \(status) at \(index) does not fit \(list.bits) bits")
                if index >= list.count { try Check.that(status == 0, name, "an index past the end is not 0") }
            }
        }
        // 1. The bytes as status list token claims, and as a token's status claim.
        if let value = try? JCSParser.parse(bytes) {
            var claims: StatusListClaims?
            do { claims = try StatusListClaims(payload: bytes) } catch {
                try Check.that(error is JOSEError, name, "StatusListClaims threw \(type(of: error))")
            }
            if let claims {
                try checkList(claims.list)
                let encoded: [UInt8]
                do { encoded = try claims.encoded() } catch {
                    throw FuzzPropertyViolation(name, "claims read from \(Check.show(bytes)) do not encode: \(error)")
                }
                try Check.that((try? StatusListClaims(payload: encoded)) == claims, name,
                               "claims \(Check.show(bytes)) read differently after encoding as \(Check.show(encoded))")
            }
            if let reference = try? StatusListReference(value), let list = claims?.list {
                _ = list.status(at: reference.index)
            }
        }
        // 2. The first byte picks the width, the rest is `lst` text, then the packed bytes.
        guard let first = bytes.first else { return }
        let bits = [1, 2, 4, 8][Int(first & 3)]
        let rest = Array(bytes.dropFirst())
        do { try checkList(try StatusList(bits: bits, encodedList: String(decoding: rest, as: UTF8.self))) } catch let violation as FuzzPropertyViolation {
            throw violation
        } catch {
            try Check.that(error is JOSEError, name, "StatusList(bits:encodedList:) threw \(type(of: error))")
        }
        guard let packed = try? StatusList(bits: bits, bytes: rest) else {
            throw FuzzPropertyViolation(name, "a packed list with \(bits) bits is refused")
        }
        try checkList(packed)
    }
}
