/// A repository, `<namespace>/<imagestream>`: the only shape Wharf serves.
///
/// The namespace is a DNS-1123 label (at most 63 characters); the image stream name matches
/// `[a-z0-9]+([._-][a-z0-9]+)*` and is at most 63 characters. Both are subsets of the OCI name grammar.
public struct RepositoryName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let maxComponentLength = 63

    public let namespace: String
    public let name: String

    /// Validates both parts; throws `nameInvalid` naming the rule that failed.
    public init(namespace: String, name: String) throws(WharfError) {
        if let problem = Self.namespaceProblem(namespace) {
            throw WharfError(.nameInvalid, "invalid repository namespace \"\(namespace.prefix(100))\": \(problem)",
                             detail: ["name": "\(namespace.prefix(100))/\(name.prefix(100))"])
        }
        if let problem = Self.streamNameProblem(name) {
            throw WharfError(.nameInvalid, "invalid image stream name \"\(name.prefix(100))\": \(problem)",
                             detail: ["name": "\(namespace.prefix(100))/\(name.prefix(100))"])
        }
        self.namespace = namespace
        self.name = name
    }

    /// Parses `namespace/name`. Any other number of path components is `nameInvalid`.
    public init(parsing text: String) throws(WharfError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw WharfError(.nameInvalid, "repository name \"\(text.prefix(200))\" must have the form <namespace>/<imagestream>",
                             detail: ["name": String(text.prefix(200))])
        }
        try self.init(namespace: String(parts[0]), name: String(parts[1]))
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: RepositoryName, rhs: RepositoryName) -> Bool { lhs.description < rhs.description }

    /// Why `text` is not a DNS-1123 label, or `nil` when it is one.
    public static func namespaceProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "must not be empty" }
        if bytes.count > maxComponentLength { return "must be no more than \(maxComponentLength) characters" }
        let ok = bytes.allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
            && isLowerAlnum(bytes.first!) && isLowerAlnum(bytes.last!)
        return ok ? nil : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    }

    /// Why `text` is not a valid image stream name, or `nil` when it is one.
    public static func streamNameProblem(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "must not be empty" }
        if bytes.count > maxComponentLength { return "must be no more than \(maxComponentLength) characters" }
        var previousWasSeparator = true
        for byte in bytes {
            if isLowerAlnum(byte) {
                previousWasSeparator = false
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                if previousWasSeparator { return "must match \"[a-z0-9]+(?:[._-][a-z0-9]+)*\"" }
                previousWasSeparator = true
            } else {
                return "must match \"[a-z0-9]+(?:[._-][a-z0-9]+)*\""
            }
        }
        return previousWasSeparator ? "must match \"[a-z0-9]+(?:[._-][a-z0-9]+)*\"" : nil
    }

    static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
