import Foundation
import WharfModel

/// A Kubernetes label selector: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, comma meaning AND.
public struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }
    let requirements: [Requirement]

    public static let everything = LabelSelector(requirements: [])

    /// Parses a selector; `badRequest` when malformed.
    public init(parsing text: String) throws {
        var requirements: [Requirement] = []
        for clause in Self.splitClauses(text) {
            let part = clause.trimmingSpaces()
            if part.isEmpty { continue }
            if let range = part.range(of: " notin ") {
                requirements.append(.notIn(try Self.key(part[..<range.lowerBound]), try Self.set(part[range.upperBound...])))
            } else if let range = part.range(of: " in ") {
                requirements.append(.isIn(try Self.key(part[..<range.lowerBound]), try Self.set(part[range.upperBound...])))
            } else if let range = part.range(of: "!=") {
                requirements.append(.notEquals(try Self.key(part[..<range.lowerBound]), String(part[range.upperBound...]).trimmingSpaces()))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(try Self.key(part[..<range.lowerBound]), String(part[range.upperBound...]).trimmingSpaces()))
            } else if part.hasPrefix("!") {
                requirements.append(.doesNotExist(try Self.key(part.dropFirst())))
            } else {
                requirements.append(.exists(try Self.key(Substring(part))))
            }
        }
        self.requirements = requirements
    }

    init(requirements: [Requirement]) { self.requirements = requirements }

    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        return requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return !(labels[key].map(values.contains) ?? false)
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }

    /// Splits on commas outside parentheses.
    private static func splitClauses(_ text: String) -> [String] {
        var clauses: [String] = [], current = "", depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                clauses.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        clauses.append(current)
        return clauses
    }

    private static func key(_ text: Substring) throws -> String {
        let key = String(text).trimmingSpaces()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
            throw WharfError(.badRequest, "unable to parse requirement: invalid label key \"\(key)\"")
        }
        return key
    }

    private static func set(_ text: Substring) throws -> Set<String> {
        let inner = String(text).trimmingSpaces()
        guard inner.hasPrefix("("), inner.hasSuffix(")") else {
            throw WharfError(.badRequest, "unable to parse requirement: expected a parenthesised set, got \"\(inner)\"")
        }
        return Set(inner.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces() })
    }
}

/// A field selector over the fields a resource supports: `f=v`, `f==v`, `f!=v`, comma meaning AND.
public struct FieldSelector: Sendable, Equatable {
    let requirements: [(field: String, value: String, equal: Bool)]

    public static func == (lhs: FieldSelector, rhs: FieldSelector) -> Bool {
        lhs.requirements.map { "\($0.field)\($0.equal)\($0.value)" } == rhs.requirements.map { "\($0.field)\($0.equal)\($0.value)" }
    }

    public static let everything = FieldSelector(requirements: [])

    init(requirements: [(field: String, value: String, equal: Bool)]) { self.requirements = requirements }

    /// Parses a selector, allowing only `supported` fields; `badRequest` naming the first unknown field.
    public init(parsing text: String, supported: [String]) throws {
        var requirements: [(field: String, value: String, equal: Bool)] = []
        for clause in text.split(separator: ",") {
            let part = String(clause).trimmingSpaces()
            if part.isEmpty { continue }
            let (field, value, equal): (String, String, Bool)
            if let range = part.range(of: "!=") {
                (field, value, equal) = (String(part[..<range.lowerBound]), String(part[range.upperBound...]), false)
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                (field, value, equal) = (String(part[..<range.lowerBound]), String(part[range.upperBound...]), true)
            } else {
                throw WharfError(.badRequest, "invalid selector: '\(part)'; can't understand '\(part)'")
            }
            let name = field.trimmingSpaces()
            guard supported.contains(name) else {
                let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
                throw WharfError(.badRequest, "\"\(name)\" is not a known field selector: only \(list)")
            }
            requirements.append((name, value.trimmingSpaces(), equal))
        }
        self.requirements = requirements
    }

    /// Whether an object whose fields have `values` matches.
    public func matches(_ values: (String) -> String) -> Bool {
        requirements.allSatisfy { ($0.equal) == (values($0.field) == $0.value) }
    }

    /// The value required for `field` by an equality requirement, if any.
    public func required(_ field: String) -> String? {
        requirements.first { $0.field == field && $0.equal }?.value
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
