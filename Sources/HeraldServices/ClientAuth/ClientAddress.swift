import Foundation
import NIOCore

/// The source address of a client-authentication attempt, as 128 bits (IPv4 as the mapped
/// `::ffff:a.b.c.d`), so that keying a table by it allocates nothing.
public struct ClientAddress: Sendable, Hashable, CustomStringConvertible {
    package let high: UInt64
    package let low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// For a connection without an IP peer (never a TCP client's address).
    public static let unknown = ClientAddress(high: 0, low: 0)

    /// The IP address of `socket`; ``unknown`` for none or a Unix socket.
    public init(_ socket: SocketAddress?) {
        switch socket {
        case .v4(let address):
            self.init(high: 0, low: 0xffff_0000_0000 | UInt64(UInt32(bigEndian: address.address.sin_addr.s_addr)))
        case .v6(let address):
            var bytes = address.address.sin6_addr
            let (high, low) = withUnsafeBytes(of: &bytes) { raw in
                (raw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) },
                 raw.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            }
            self.init(high: high, low: low)
        case .unixDomainSocket, nil:
            self = .unknown
        }
    }

    /// An IPv4 or IPv6 literal (`203.0.113.7`, `2001:db8::1`); nil for anything else.
    public init?(literal text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, let socket = try? SocketAddress(ipAddress: trimmed, port: 0) else { return nil }
        self.init(socket)
    }

    public var isIPv4: Bool { high == 0 && low >> 32 == 0xffff }

    /// What failures are counted against: the address itself for IPv4, its /64 for IPv6,
    /// since one IPv6 host commonly holds a whole /64 and could otherwise rotate addresses.
    public var limitKey: ClientAddress { isIPv4 || self == .unknown ? self : ClientAddress(high: high, low: 0) }

    public var description: String {
        if self == .unknown { return "unknown" }
        if isIPv4 {
            let value = UInt32(truncatingIfNeeded: low)
            return "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
        }
        // RFC 5952 text without zero compression is still valid and unambiguous; the
        // full form is simpler to produce and to grep for.
        let groups = (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * $0)) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * $0)) }
        return groups.map { String($0, radix: 16) }.joined(separator: ":")
    }

    /// The address a request comes from: the connection's peer, or, when that peer is one
    /// of `trustedProxies`, the nearest `X-Forwarded-For` entry that is not itself a trusted
    /// proxy (entries are read right to left: the rightmost was added by the nearest proxy).
    public static func source(peer: ClientAddress, forwardedFor: [String], trustedProxies: Set<ClientAddress>) -> ClientAddress {
        guard !trustedProxies.isEmpty, trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            // A hop that is not an address means the chain cannot be trusted beyond here:
            // count the attempt against the last address that is known (fail closed).
            guard let address = ClientAddress(literal: String(hop)) else { return peer }
            if !trustedProxies.contains(address) { return address }
        }
        return peer
    }
}
