import Foundation

/// One input from libFuzzer: its bytes, and helpers to split them into the parts a target needs.
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    /// The bytes as text, invalid UTF-8 repaired as a server repairs it.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The first byte, choosing among `count` variants, and the rest of the input. An empty input is variant 0.
    public func variant(of count: Int) -> (Int, [UInt8]) {
        guard let first = bytes.first else { return (0, []) }
        return (Int(first) % count, Array(bytes.dropFirst()))
    }

    /// The bytes split at the first newline: a short header (such as a Content-Type) and the body.
    public static func split(_ bytes: [UInt8]) -> (String, [UInt8]) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return ("", bytes) }
        return (String(decoding: bytes[..<newline], as: UTF8.self), Array(bytes[(newline + 1)...]))
    }
}

/// Stops the fuzzer with `message` when `condition` does not hold: a broken contract is a finding, like a crash.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("contract broken: \(message())") }
}

/// An error message must stay small whatever the input: no client reads more, and building it costs memory.
public let maxErrorMessage = 64 * 1024

/// Requires that `error`'s description is at most ``maxErrorMessage`` bytes.
public func requireSmall(_ error: any Error) {
    let size = String(describing: error).utf8.count
    require(size <= maxErrorMessage, "an error message of \(size) bytes")
}
