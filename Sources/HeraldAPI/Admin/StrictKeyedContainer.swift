/// The members of one JSON object, for ``AdminBodyDecoder``: a member asked for and missing,
/// `null` or of another type is refused (``StrictDecodingState/mismatch(_:_:)``), and every
/// member asked for is noted, so that members no type asked for can be refused after.
struct StrictKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: OpaqueJSON]
    let codingPath: [any CodingKey]
    let state: StrictDecodingState
    /// This object in ``StrictDecodingState``.
    let object: Int

    var allKeys: [Key] {
        members.keys.sorted().compactMap { name in
            state.ask(object, name)
            return Key(stringValue: name)
        }
    }

    func contains(_ key: Key) -> Bool {
        state.ask(object, key.stringValue)
        return members[key.stringValue] != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        state.ask(object, key.stringValue)
        return members[key.stringValue].map { $0 == .null } ?? true
    }

    /// The member `key`, which must be there and hold a `type`.
    private func member<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        state.ask(object, key.stringValue)
        let path = codingPath + [key]
        guard let value = members[key.stringValue] else {
            throw state.mismatch(path, StrictExpectation(type) ?? .present)
        }
        return try StrictDecoder.read(type, value, at: path, state: state)
    }

    /// The member `key` if it is there (a `null` is not "not there": it is refused).
    private func memberIfPresent<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        state.ask(object, key.stringValue)
        guard members[key.stringValue] != nil else { return nil }
        return try member(type, key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(type, key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try memberIfPresent(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try memberIfPresent(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try memberIfPresent(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try memberIfPresent(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try memberIfPresent(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try memberIfPresent(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try memberIfPresent(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try memberIfPresent(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try memberIfPresent(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try memberIfPresent(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try memberIfPresent(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try memberIfPresent(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try memberIfPresent(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try memberIfPresent(type, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try member(type, key) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try memberIfPresent(type, key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        StrictDecoder(value: .object(members), codingPath: codingPath, state: state, expected: nil)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(key) }

    private func decoder(_ key: Key) throws -> StrictDecoder {
        state.ask(object, key.stringValue)
        let path = codingPath + [key]
        guard let value = members[key.stringValue] else { throw state.mismatch(path, .present) }
        return StrictDecoder(value: value, codingPath: path, state: state, expected: nil)
    }
}
