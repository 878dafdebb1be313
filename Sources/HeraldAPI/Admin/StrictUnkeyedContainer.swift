/// The elements of one JSON list, for ``AdminBodyDecoder``, each read as strictly as a member.
struct StrictUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [OpaqueJSON]
    let codingPath: [any CodingKey]
    let state: StrictDecodingState
    private(set) var currentIndex = 0

    init(elements: [OpaqueJSON], codingPath: [any CodingKey], state: StrictDecodingState) {
        self.elements = elements
        self.codingPath = codingPath
        self.state = state
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    /// The next element, which must hold a `type`.
    private mutating func next<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath + [StrictKey(index: currentIndex)]
        guard !isAtEnd else { throw state.mismatch(path, StrictExpectation(type) ?? .present) }
        let value = try StrictDecoder.read(type, elements[currentIndex], at: path, state: state)
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try nextDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try nextDecoder().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try nextDecoder() }

    private mutating func nextDecoder() throws -> StrictDecoder {
        let path = codingPath + [StrictKey(index: currentIndex)]
        guard !isAtEnd else { throw state.mismatch(path, .present) }
        defer { currentIndex += 1 }
        return StrictDecoder(value: elements[currentIndex], codingPath: path, state: state, expected: nil)
    }
}
