import Foundation

/// What one pass over a JSON text finds before any decoder reads it: whether it nests deeper than a limit, and which
/// object keys it repeats.
///
/// Readers disagree about repeated keys (Go and Python keep the last, Foundation the first), so a document that has
/// them means different things to the server that validates it and the clients that use it. The scan is linear, keeps
/// memory proportional to the keys of the open objects, and never fails: text that is not JSON is left for the
/// decoder to refuse.
public struct JSONStructure: Sendable, Equatable {
    /// Whether arrays and objects nest deeper than the limit given (the scan stops there).
    public private(set) var tooDeep = false
    /// The dotted paths of repeated keys (`metadata.name`; arrays add no segment), at most `maxReported`.
    public private(set) var duplicateKeys: [String] = []

    public static let maxReported = 10
    /// The deepest nesting Wharf reads in manifests and API bodies (Kubernetes allows 10,000; Wharf's own objects
    /// nest fewer than ten levels).
    public static let depthLimit = 100

    private struct Frame {
        var isObject: Bool
        var expectingKey: Bool
        var keys: Set<String> = []
        var currentKey: String?
    }

    /// Scans `bytes`, stopping once nesting exceeds `depthLimit`.
    public init(scanning bytes: some Collection<UInt8>, depthLimit: Int) {
        var frames: [Frame] = []
        var inString = false, escaped = false, hasEscape = false
        var stringStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                    hasEscape = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    // The open object is changed in place: a copy of it would copy its keys, once per key.
                    let top = frames.count - 1
                    if top >= 0, frames[top].isObject, frames[top].expectingKey {
                        let key = Self.string(bytes[stringStart..<index], escaped: hasEscape)
                        if !frames[top].keys.insert(key).inserted, duplicateKeys.count < Self.maxReported {
                            duplicateKeys.append((frames.dropLast().compactMap(\.currentKey) + [key]).joined(separator: "."))
                        }
                        frames[top].expectingKey = false
                        frames[top].currentKey = key
                    }
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                    hasEscape = false
                    stringStart = bytes.index(after: index)
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard frames.count < depthLimit else {
                        tooDeep = true
                        return
                    }
                    frames.append(Frame(isObject: byte == UInt8(ascii: "{"), expectingKey: byte == UInt8(ascii: "{")))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    _ = frames.popLast()
                case UInt8(ascii: ","):
                    if frames.last?.isObject == true { frames[frames.count - 1].expectingKey = true }
                default:
                    break
                }
            }
            index = bytes.index(after: index)
        }
    }

    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
        UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
    ]

    /// The text of a JSON string's contents, with its escapes decoded when it has any (RFC 8259 §7), by hand: a body
    /// may hold hundreds of thousands of escaped keys, and a decoder per key would hold up the caller for seconds.
    /// Malformed escapes are kept as they are; the decoder that reads the body later refuses them.
    static func string(_ contents: some Collection<UInt8>, escaped: Bool) -> String {
        guard escaped else { return String(decoding: contents, as: UTF8.self) }
        let bytes = Array(contents)
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
            utf8.removeAll(keepingCapacity: true)
        }
        func hex(at index: Int) -> UInt32? {
            guard index + 4 <= bytes.count, let text = String(bytes: bytes[index..<index + 4], encoding: .ascii) else { return nil }
            return UInt32(text, radix: 16)
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                utf8.append(byte)
                index += 1
                continue
            }
            if let replacement = Self.simpleEscapes[bytes[index + 1]] {
                utf8.append(replacement)
                index += 2
            } else if bytes[index + 1] == UInt8(ascii: "u"), var value = hex(at: index + 2) {
                index += 6
                if (0xD800..<0xDC00).contains(value), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                   bytes[index + 1] == UInt8(ascii: "u"), let low = hex(at: index + 2), (0xDC00..<0xE000).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                flush()
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            } else {
                utf8.append(byte)
                index += 1
            }
        }
        flush()
        return String(scalars)
    }
}
