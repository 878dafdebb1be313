/// Why an admin request body was refused: one line that names the member and says what to
/// send (`reason must be a non-empty string`, `levels.L1.label: expected a string`).
package struct AdminBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
