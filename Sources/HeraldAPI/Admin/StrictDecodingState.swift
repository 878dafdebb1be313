/// What one ``AdminBodyDecoder`` run has seen: the rules, each object read and the members
/// its type asked for (to find members the type does not declare), and the messages.
final class StrictDecodingState {
    let rules: AdminBodyRules
    private var objects: [(path: [any CodingKey], members: [String], asked: Set<String>)] = []
    /// Rendered path → index in `objects`: a type may read one object through two containers.
    private var visited: [String: Int] = [:]

    init(rules: AdminBodyRules) {
        self.rules = rules
    }

    /// Starts tracking an object's members; the index is what ``ask(_:_:)`` takes.
    func visit(_ path: [any CodingKey], members: [String]) -> Int {
        let key = render(path)
        if let index = visited[key] { return index }
        objects.append((path, members, []))
        visited[key] = objects.count - 1
        return objects.count - 1
    }

    func ask(_ object: Int, _ key: String) {
        objects[object].asked.insert(key)
    }

    /// The first member, in path order, that no type asked for (when the rules refuse them).
    func unknownMember() -> AdminBodyError? {
        guard rules.refusesUnknownMembers else { return nil }
        let unknown = objects.flatMap { object in
            object.members.filter { !object.asked.contains($0) }.map { key in
                (render(object.path + [StrictKey(key)]), Suggestion.hint(for: key, in: object.asked.sorted()))
            }
        }.sorted { $0.0 < $1.0 }
        return unknown.first.map { AdminBodyError("\($0.0): unknown key\($0.1)") }
    }

    /// The refusal of what is at `path` (or missing there), which should have been `expected`.
    func mismatch(_ path: [any CodingKey], _ expected: StrictExpectation) -> AdminBodyError {
        if path.count == 1 {
            let phrase = expected == .string && rules.requiresNonEmptyStrings ? "a non-empty string" : expected.phrase
            return AdminBodyError("\(render(path)) must be \(phrase)")
        }
        return AdminBodyError("\(render(path)): expected \(expected.loaderPhrase)")
    }

    /// `levels.L1.scopes[0]`: the rules' path, then the members and list positions.
    func render(_ path: [any CodingKey]) -> String {
        var text = rules.path
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

/// What a member should have held, in the words of a message.
enum StrictExpectation: Equatable {
    case string, bool, wholeNumber, number, list, stringList, object
    /// Anything at all: a member of a type that does not say what it holds.
    case present
    case custom(String)

    /// The member's type, when it says (nil: the container it asks for says).
    init?(_ type: Any.Type) {
        switch type {
        case is String.Type: self = .string
        case is Bool.Type: self = .bool
        case is any FixedWidthInteger.Type: self = .wholeNumber
        case is any BinaryFloatingPoint.Type: self = .number
        case is [String].Type: self = .stringList
        case let described as any AdminBodyExpectation.Type: self = .custom(described.expectation)
        default: return nil
        }
    }

    /// After "must be", for a member of the body itself.
    var phrase: String {
        switch self {
        case .string: "a string"
        case .bool: "true or false"
        case .wholeNumber: "a whole number"
        case .number: "a number"
        case .list: "a list"
        case .stringList: "a list of strings"
        case .object: "an object"
        case .present: "given"
        case .custom(let text): text
        }
    }

    /// After "expected", as the realm-file loader says it.
    var loaderPhrase: String {
        switch self {
        case .string: "a string"
        case .bool: "true or false"
        case .wholeNumber: "a whole number"
        case .number: "a number"
        case .list, .stringList: "a list"
        case .object: "a mapping"
        case .present: "a value"
        case .custom(let text): text
        }
    }
}

/// A member name or list position in a coding path.
struct StrictKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    init(index: Int) {
        stringValue = "\(index)"
        intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) { self.init(index: intValue) }
}
