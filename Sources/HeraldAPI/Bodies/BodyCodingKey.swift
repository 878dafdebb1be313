/// A member name only known at run time: the members of an ``OpaqueJSON`` object, and the
/// token claims an ``IntrospectionResponse`` passes through.
struct BodyCodingKey: CodingKey, Hashable {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
