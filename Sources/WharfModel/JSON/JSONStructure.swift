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
                    if var frame = frames.last, frame.isObject, frame.expectingKey {
                        let key = Self.string(bytes[stringStart..<index], escaped: hasEscape)
                        if !frame.keys.insert(key).inserted, duplicateKeys.count < Self.maxReported {
                            duplicateKeys.append((frames.dropLast().compactMap(\.currentKey) + [key]).joined(separator: "."))
                        }
                        frame.expectingKey = false
                        frame.currentKey = key
                        frames[frames.count - 1] = frame
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

    /// The text of a JSON string's contents, with its escapes decoded when it has any.
    private static func string(_ contents: some Collection<UInt8>, escaped: Bool) -> String {
        guard escaped else { return String(decoding: contents, as: UTF8.self) }
        let quoted = [UInt8(ascii: "\"")] + Array(contents) + [UInt8(ascii: "\"")]
        return (try? JSONDecoder().decode(String.self, from: Data(quoted))) ?? String(decoding: contents, as: UTF8.self)
    }
}
