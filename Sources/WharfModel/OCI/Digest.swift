import Crypto

/// A content digest, `<algorithm>:<hex>`, parsed and validated once.
///
/// Only `sha256` and `sha512` are accepted. The hex part must be lowercase and of the algorithm's length.
public struct Digest: Hashable, Sendable, Comparable, LosslessStringConvertible, Codable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256, sha512

        var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    public let algorithm: Algorithm
    public let hex: String

    public init(algorithm: Algorithm, hex: String) {
        self.algorithm = algorithm
        self.hex = hex
    }

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; `nil` for anything else.
    public init?(_ description: String) {
        guard let colon = description.firstIndex(of: ":") else { return nil }
        guard let algorithm = Algorithm(rawValue: String(description[..<colon])) else { return nil }
        let hex = description[description.index(after: colon)...]
        guard hex.utf8.count == algorithm.hexLength, hex.utf8.allSatisfy(Digest.isLowerHex) else { return nil }
        self.algorithm = algorithm
        self.hex = String(hex)
    }

    /// Parses a digest or throws `digestInvalid`, naming the offending value.
    public static func parse(_ text: String) throws(WharfError) -> Digest {
        guard let digest = Digest(text) else {
            throw WharfError(.digestInvalid, "invalid digest \"\(text.prefix(200))\"", detail: ["digest": String(text.prefix(200))])
        }
        return digest
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid digest \"\(text)\""))
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// The SHA-256 digest of `bytes`.
    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = DigestHasher(.sha256)
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    /// The digest of `bytes` with this digest's algorithm: used to verify content against a claimed digest.
    public func matches(_ bytes: [UInt8]) -> Bool {
        var hasher = DigestHasher(algorithm)
        hasher.update(bytes)
        return hasher.finalize() == self
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
    }
}

/// An incremental hasher for one digest algorithm. A value type: copy it to take an intermediate digest.
public struct DigestHasher: Sendable {
    private enum State: Sendable {
        case sha256(SHA256)
        case sha512(SHA512)
    }
    private var state: State
    public let algorithm: Digest.Algorithm

    public init(_ algorithm: Digest.Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    public mutating func update(bufferPointer: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var hasher):
            hasher.update(bufferPointer: bufferPointer)
            state = .sha256(hasher)
        case .sha512(var hasher):
            hasher.update(bufferPointer: bufferPointer)
            state = .sha512(hasher)
        }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update(bufferPointer: $0) }
    }

    public func finalize() -> Digest {
        switch state {
        case .sha256(let hasher): return Digest(algorithm: .sha256, hex: Self.hex(hasher.finalize()))
        case .sha512(let hasher): return Digest(algorithm: .sha512, hex: Self.hex(hasher.finalize()))
        }
    }

    private static let table = Array("0123456789abcdef".utf8)

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for byte in digest {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
