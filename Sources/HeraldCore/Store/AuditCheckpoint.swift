import Foundation

/// What a signed audit checkpoint asserts: "entry `seq` of `realm`'s chain has hash `hash`".
///
/// Signed as the payload of a compact JWS with the realm's key (header `typ`
/// ``jwsType``). Because every entry's hash covers the previous one, a valid checkpoint
/// fixes the whole chain up to `seq`: rewriting history, even with every hash recomputed,
/// or dropping entries up to a later checkpoint, no longer goes unnoticed.
public struct AuditCheckpoint: Sendable, Hashable, Codable {
    /// The JWS `typ` header value of a checkpoint.
    public static let jwsType = "audit-checkpoint+jwt"
    /// The event type of the chain entry that ``AuditLog/checkpoint(realm:at:sign:)`` appends.
    public static let entryType = "audit.checkpoint"

    /// The realm whose chain this seals.
    public var realm: String
    /// The sequence number of the `audit.checkpoint` entry itself.
    public var seq: Int64
    /// That entry's hash.
    public var hash: String
    /// That entry's time, in milliseconds since 1970.
    public var timeMilliseconds: Int64

    /// A checkpoint for entry `seq` of `realm` with `hash`, made at `timeMilliseconds`.
    public init(realm: String, seq: Int64, hash: String, timeMilliseconds: Int64) {
        self.realm = realm
        self.seq = seq
        self.hash = hash
        self.timeMilliseconds = timeMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case realm, seq, hash
        case timeMilliseconds = "time_ms"
    }

    /// The JWS payload: `{"realm","seq","hash","time_ms"}` in that order.
    public var payload: [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writer.beginObject()
        writer.member("realm", realm)
        writer.member("seq", Int(seq))
        writer.member("hash", hash)
        writer.member("time_ms", Int(timeMilliseconds))
        writer.endObject()
        return writer.bytes
    }

    /// Parses a verified JWS payload.
    public init(payload: [UInt8]) throws {
        do { self = try JSONDecoder().decode(Self.self, from: Data(payload)) } catch {
            throw HeraldError(.storage, "checkpoint payload is not {\"realm\",\"seq\",\"hash\",\"time_ms\"}")
        }
    }
}
