import CZlib
import Foundation
import HeraldCore

/// A Token Status List (draft-ietf-oauth-status-list §4): a byte array holding one
/// `bits`-wide status per index, packed from the least significant bit of each byte, sent
/// as `{"bits":2,"lst":base64url(zlib(bytes))}`. Herald uses 2 bits: 0 VALID, 1 INVALID
/// (revoked), 2 SUSPENDED (killed) (wire-formats §8).
///
/// zlib comes from the system library (a two-line system-library target) rather than the
/// compress-nio package: two calls (`compress2`, `uncompress`) are needed, and compress-nio
/// would bring NIO's ByteBuffer into a pure library for them while needing the same
/// zlib1g-dev headers underneath.
public struct StatusList: Sendable, Hashable {
    /// The status values of wire-formats §8.
    public enum Status: UInt8, Sendable, Hashable, CaseIterable {
        case valid = 0
        case invalid = 1
        case suspended = 2
    }

    /// Bits per status: 1, 2, 4 or 8.
    public let bits: Int
    /// The packed statuses.
    public private(set) var bytes: [UInt8]
    /// The largest list `decode` inflates (16 MiB: 64 million 2-bit entries).
    public static let maxDecodedBytes = 16 << 20

    /// An all-VALID list with room for at least `capacity` entries.
    public init(bits: Int = 2, capacity: Int = 0) {
        precondition([1, 2, 4, 8].contains(bits), "status list bits must be 1, 2, 4 or 8")
        self.bits = bits
        bytes = [UInt8](repeating: 0, count: (capacity * bits + 7) / 8)
    }

    /// A list over already packed `bytes`.
    public init(bits: Int, bytes: [UInt8]) throws {
        guard [1, 2, 4, 8].contains(bits) else { throw JOSEError(.malformed, "status list bits is \(bits); must be 1, 2, 4 or 8") }
        self.bits = bits
        self.bytes = bytes
    }

    /// How many entries the list holds.
    public var count: Int { bytes.count * 8 / bits }

    /// The status at `index`; 0 beyond the end. Setting past the end grows the list.
    public subscript(index: Int) -> UInt8 {
        get {
            precondition(index >= 0, "a status list index is not negative")
            let bit = index * bits
            guard bit / 8 < bytes.count else { return 0 }
            return (bytes[bit / 8] >> UInt8(bit % 8)) & mask
        }
        set {
            precondition(index >= 0, "a status list index is not negative")
            precondition(newValue <= mask, "status \(newValue) does not fit in \(bits) bits")
            let bit = index * bits
            if bit / 8 >= bytes.count { bytes.append(contentsOf: repeatElement(0, count: bit / 8 + 1 - bytes.count)) }
            let shift = UInt8(bit % 8)
            bytes[bit / 8] = bytes[bit / 8] & ~(mask << shift) | (newValue << shift)
        }
    }

    /// The status at `index` as a known value; nil for values outside 0–2.
    public func status(at index: Int) -> Status? { Status(rawValue: self[index]) }

    /// Sets the status at `index`.
    public mutating func set(_ status: Status, at index: Int) { self[index] = status.rawValue }

    private var mask: UInt8 { UInt8(truncatingIfNeeded: (1 << bits) - 1) }

    /// `lst`: base64url without padding of the zlib stream (RFC 1950) of ``bytes``,
    /// compressed at the best level (the draft recommends it; lists change rarely).
    public func encodedList() throws -> String {
        var length = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let result = bytes.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(source.count), Z_BEST_COMPRESSION)
            }
        }
        guard result == Z_OK else { throw JOSEError(.malformed, "zlib compress2 failed (\(result))") }
        return Base64URL.encode(out.prefix(Int(length)))
    }

    /// Writes `{"bits":…,"lst":…}`.
    public func write(to writer: inout JSONWriter) throws {
        let list = try encodedList()
        writer.beginObject()
        writer.member("bits", bits)
        writer.member("lst", list)
        writer.endObject()
    }

    /// Decodes `lst` (base64url of a zlib stream) for a list of `bits`-wide entries.
    public init(bits: Int, encodedList lst: String) throws {
        guard let compressed = Base64URL.decode(lst) else { throw JOSEError(.malformed, "lst is not base64url without padding") }
        var capacity = max(64, compressed.count * 4)
        while true {
            var out = [UInt8](repeating: 0, count: capacity)
            var length = uLong(capacity)
            let result = compressed.withUnsafeBufferPointer { source in
                out.withUnsafeMutableBufferPointer { target in
                    uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
                }
            }
            switch result {
            case Z_OK:
                try self.init(bits: bits, bytes: Array(out.prefix(Int(length))))
                return
            case Z_BUF_ERROR where capacity < Self.maxDecodedBytes:
                capacity = min(capacity * 4, Self.maxDecodedBytes)
            case Z_BUF_ERROR:
                throw JOSEError(.malformed, "lst inflates to more than \(Self.maxDecodedBytes) bytes")
            default:
                throw JOSEError(.malformed, "lst is not a zlib stream (zlib error \(result))")
            }
        }
    }

    /// Reads a `status_list` object `{"bits":…,"lst":…}`.
    public init(_ value: JCSValue) throws {
        guard let bits = value["bits"]?.intValue, let lst = value["lst"]?.stringValue else {
            throw JOSEError(.malformed, "status_list must be {\"bits\":N,\"lst\":\"…\"}")
        }
        try self.init(bits: Int(bits), encodedList: lst)
    }
}
