/// A request body that is not what the endpoint takes. `message` names the member that was
/// wrong and what to send instead ("tool_name must be a non-empty string"); the server
/// answers it as 400 `invalid_request` with the message as `error_description`.
public struct BodyError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
