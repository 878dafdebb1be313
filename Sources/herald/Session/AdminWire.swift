import Foundation
import NIOHTTP1

/// The admin API's JSON as the CLI sends and reads it: request bodies are the HeraldAPI
/// admin types the server decodes (sorted keys, like every Herald JSON), answers are read
/// back into the types the server encodes.
enum AdminWire {
    static func data(_ body: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(body)
    }

    /// `result`'s body as `Value`; a body of another shape is a refusal naming the member.
    static func decode<Value: Decodable>(_ type: Value.Type, _ result: HTTPResult, _ method: HTTPMethod, _ path: String)
        throws -> Value
    {
        do { return try JSONDecoder().decode(type, from: result.body) } catch {
            throw CLIError.refused("the answer to \(method) \(path) is not the admin API's (\(reason(error))); "
                + "is --server a Herald server of this version?")
        }
    }

    /// Which member was missing or of another type.
    private static func reason(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "the body" : names.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(path(context)) has another type"
        case DecodingError.dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// An admin API answer as the server sent it (what `--output json` prints) and read as its
/// HeraldAPI type (what the tables and messages use).
struct AdminAnswer<Value: Decodable & Sendable>: Sendable {
    let json: JSONValue
    let value: Value
}

extension AdminSession {
    /// Sends `body` as JSON and reads the answer as `Value`.
    func call<Value: Decodable & Sendable>(_ method: HTTPMethod, _ path: String, body: some Encodable & Sendable,
                                           as type: Value.Type, hints: [Int: String] = [:]) async throws
        -> AdminAnswer<Value>
    {
        try await answer(send(method, path, body: AdminWire.data(body), hints: hints), type, method, path)
    }

    /// Sends a request without a body and reads the answer as `Value`.
    func call<Value: Decodable & Sendable>(_ method: HTTPMethod, _ path: String, as type: Value.Type,
                                           hints: [Int: String] = [:]) async throws -> AdminAnswer<Value>
    {
        try await answer(send(method, path, hints: hints), type, method, path)
    }

    private func answer<Value: Decodable & Sendable>(_ result: HTTPResult, _ type: Value.Type, _ method: HTTPMethod,
                                                     _ path: String) throws -> AdminAnswer<Value> {
        AdminAnswer(json: try result.json(), value: try AdminWire.decode(type, result, method, path))
    }
}

extension AdminOptions {
    /// Prints the server's answer (for --output json) or the table built from its value.
    func emit<Value>(_ answer: AdminAnswer<Value>, table: (Value) -> String) {
        Console.write(output == .json ? answer.json.rendered() : table(answer.value))
    }
}

extension JSONValue {
    /// `value` as JSON, the way ``AdminWire`` sends it.
    init(encoding value: some Encodable) throws {
        try self.init(parsing: AdminWire.data(value))
    }
}

extension AdminSession {
    /// Sends `body` as JSON and returns the server's answer as it is, for the views that
    /// show every member it holds.
    func json(_ method: HTTPMethod, _ path: String, request body: some Encodable & Sendable, hints: [Int: String] = [:])
        async throws -> JSONValue
    {
        let result = try await send(method, path, body: AdminWire.data(body), hints: hints)
        return result.body.isEmpty ? .null : try result.json()
    }
}
