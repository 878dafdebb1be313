/// A `Decoder` over a parsed JSON value that refuses instead of guessing (see
/// ``AdminBodyDecoder``): no `null` for a value, no number for a string, no fraction for a
/// whole number.
struct StrictDecoder: Decoder, SingleValueDecodingContainer {
    let value: OpaqueJSON
    let codingPath: [any CodingKey]
    let state: StrictDecodingState
    /// What the member's declared type says it holds, for the message when it holds else.
    let expected: StrictExpectation?

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// `value` read as `type` at `path`; an ``OpaqueJSON`` is taken as it is.
    static func read<T: Decodable>(_ type: T.Type, _ value: OpaqueJSON, at path: [any CodingKey],
                                   state: StrictDecodingState) throws -> T
    {
        if let raw = value as? T { return raw }
        return try T(from: StrictDecoder(value: value, codingPath: path, state: state, expected: StrictExpectation(type)))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw state.mismatch(codingPath, expected ?? .object) }
        let object = state.visit(codingPath, members: members.keys.sorted())
        return KeyedDecodingContainer(StrictKeyedContainer(members: members, codingPath: codingPath, state: state,
                                                           object: object))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw state.mismatch(codingPath, expected ?? .list) }
        return StrictUnkeyedContainer(elements: elements, codingPath: codingPath, state: state)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw state.mismatch(codingPath, .bool) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw state.mismatch(codingPath, .string) }
        // Only the body's own members: a list element or a nested cell follows its own rules.
        if text.isEmpty && state.rules.requiresNonEmptyStrings && codingPath.count == 1 {
            throw state.mismatch(codingPath, .string)
        }
        return text
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode(_ type: Double.Type) throws -> Double { try floating(type) }
    func decode(_ type: Float.Type) throws -> Float { try floating(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try Self.read(type, value, at: codingPath, state: state)
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        guard case .int(let number) = value, let exact = I(exactly: number) else {
            throw state.mismatch(codingPath, .wholeNumber)
        }
        return exact
    }

    private func floating<F: BinaryFloatingPoint>(_ type: F.Type) throws -> F {
        switch value {
        case .int(let number): return F(number)
        case .double(let number): return F(number)
        default: throw state.mismatch(codingPath, .number)
        }
    }
}
