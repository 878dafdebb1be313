import Foundation
import HeraldCore

/// What one `NOTIFY` on ``PostgresChangeListener/channel`` carries: one change, as JSON.
enum PostgresChangeMessage: Codable, Sendable {
    case lifecycle(LifecycleChange)
    case realm(RealmChange)

    /// PostgreSQL refuses a `NOTIFY` payload of 8000 bytes or more (its default page size).
    static let payloadLimit = 8000

    /// The payload, or nil when it is too long for a `NOTIFY`.
    func payload() throws -> String? {
        let text = String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
        return text.utf8.count < Self.payloadLimit ? text : nil
    }

    init(payload: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(payload.utf8))
    }
}
