extension KeyedDecodingContainer {
    /// The member `key` as a `T`, nil when it is absent (or, with `nullIsAbsent`, null). A
    /// value of another type is a ``BodyError`` saying `<member> must be <expected>`;
    /// a ``BodyError`` from inside `T` (a nested member) passes through as it is.
    /// `path` prefixes the member's name for a nested object (`agent.`).
    func bodyMember<T: Decodable>(_ key: Key, _ expected: String, nullIsAbsent: Bool = true, path: String = "")
        throws -> T?
    {
        guard contains(key) else { return nil }
        if nullIsAbsent, (try? decodeNil(forKey: key)) == true { return nil }
        do { return try decode(T.self, forKey: key) } catch is DecodingError {
            throw BodyError("\(path)\(key.stringValue) must be \(expected)")
        }
    }

    /// The member `key` as a non-empty string; absent, null, empty or another type is a
    /// ``BodyError`` saying `<member> must be a non-empty string`.
    func requiredNonEmptyString(_ key: Key) throws -> String {
        let value: String? = try bodyMember(key, "a non-empty string", nullIsAbsent: false)
        guard let value, !value.isEmpty else { throw BodyError("\(key.stringValue) must be a non-empty string") }
        return value
    }
}
