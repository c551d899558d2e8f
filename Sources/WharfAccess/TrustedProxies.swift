#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WharfModel

/// `--trusted-proxies`: the load balancers whose `X-Forwarded-For` header names the real client.
///
/// Behind a proxy every request comes from the proxy's address, so the login throttle, the rate limiter and the audit
/// record would see one client. The header is honoured only when the connection comes from a listed proxy, and it is
/// read from the right: each trusted proxy appends the address it saw, so the rightmost address that is not a trusted
/// proxy is the client. Addresses a client puts at the left of the header cannot change the answer. With no proxies
/// listed (the default) the header is ignored.
public struct TrustedProxies: Sendable, Equatable {
    /// One address, or a CIDR block of them.
    struct Block: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (a, b) in zip(address, bytes) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                if a & mask != b & mask { return false }
                remaining -= 8
            }
            return true
        }
    }

    let blocks: [Block]

    /// No trusted proxies: `X-Forwarded-For` is ignored.
    public static let none = TrustedProxies(blocks: [])

    public var isEmpty: Bool { blocks.isEmpty }

    /// Parses a comma-separated list of IPv4 or IPv6 addresses and CIDR blocks (`10.0.0.0/8,127.0.0.1,fd00::/8`).
    /// Throws `invalid` naming the first entry that is neither.
    public init(parsing list: String) throws {
        blocks = try list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.address(parts[0]) else {
                throw WharfError(.invalid, "trusted proxy \"\(entry)\" is not an IP address or a CIDR block")
            }
            let bits = bytes.count * 8
            guard let length = parts.count == 2 ? Int(parts[1]) : bits, (0...bits).contains(length) else {
                throw WharfError(.invalid, "trusted proxy \"\(entry)\" has a prefix length outside 0 to \(bits)")
            }
            return Block(bytes: bytes, prefixLength: length)
        }
    }

    init(blocks: [Block]) {
        self.blocks = blocks
    }

    /// Whether `address` is one of the trusted proxies.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.address(address) else { return false }
        return blocks.contains { $0.contains(bytes) }
    }

    /// The client of a request that arrived from `peer` with these `X-Forwarded-For` values (each a comma-separated
    /// list, in the order the header lines came): `peer` itself unless it is a trusted proxy, else the rightmost
    /// forwarded address that is not a trusted proxy (or the leftmost, when every one is). An entry that is not an IP
    /// address ends the walk there: what lies to its left was written by someone no proxy vouches for.
    public func client(peer: String, forwardedFor values: [String]) -> String {
        guard contains(peer) else { return peer }
        let chain = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in chain.reversed() {
            guard Self.address(hop) != nil else { break }
            client = hop
            if !contains(hop) { break }
        }
        return client
    }

    /// The bytes of an IPv4 (4) or IPv6 (16) address; an IPv4-mapped IPv6 address gives its IPv4 bytes.
    static func address(_ text: String) -> [UInt8]? {
        guard text.utf8.count <= 64, !text.isEmpty else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
