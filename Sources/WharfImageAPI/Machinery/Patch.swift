import Foundation
public import WharfModel

/// The patch formats Kubernetes accepts (reference §11.5), applied to JSON documents.
public enum PatchType: String, Sendable {
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    /// The patch type named by a Content-Type, or `nil` when unsupported.
    public init?(contentType: String) {
        self.init(rawValue: MediaType.essence(contentType))
    }
}

/// Applies patches. Errors are `badRequest` (malformed patch), `invalid` (a JSON patch `test` that fails) or
/// `manifestTooLarge` (413: the patched document would grow past its size limit).
public enum Patch {
    /// The merge keys of lists that strategic merge patches merge element-wise, by the list's path.
    public static let mergeKeys: [String: String] = [
        "spec.tags": "name", "status.tags": "tag", "signatures": "name", "status.tags.conditions": "type",
        "metadata.ownerReferences": "uid", "tag.conditions": "type",
    ]

    /// Applies `patch` to `document`. A merge or strategic patch yields at most the document and the patch together;
    /// a JSON patch can copy a value over and over, so the size it adds is counted as it goes and it stops as soon as the
    /// document would pass `sizeLimit` bytes: the work done is bounded by the limit, not by what the patch asks for.
    public static func apply(_ type: PatchType, _ patch: JSONValue, to document: JSONValue, sizeLimit: Int) throws -> JSONValue {
        switch type {
        case .merge: return merge(patch, into: document)
        case .strategic, .apply: return strategic(patch, into: document, path: "")
        case .json: return try jsonPatch(patch, to: document, sizeLimit: sizeLimit)
        }
    }

    /// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
    public static func merge(_ patch: JSONValue, into target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value == .null {
                result.removeValue(forKey: key)
            } else {
                result[key] = merge(value, into: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// Strategic merge: like a merge patch, except lists with a merge key merge element-wise, and the
    /// `$patch` (delete, replace), `$deleteFromPrimitiveList/…`, `$setElementOrder/…` and `$retainKeys` directives.
    static func strategic(_ patch: JSONValue, into target: JSONValue, path: String) -> JSONValue {
        guard case .object(var patchMembers) = patch else { return patch }
        if patchMembers["$patch"]?.stringValue == "replace" {
            patchMembers.removeValue(forKey: "$patch")
            return .object(patchMembers)
        }
        if patchMembers["$patch"]?.stringValue == "delete" { return .null }
        var result = target.objectValue ?? [:]
        if case .array(let retained)? = patchMembers.removeValue(forKey: "$retainKeys") {
            let keep = Set(retained.compactMap(\.stringValue))
            result = result.filter { keep.contains($0.key) }
        }
        for (key, value) in patchMembers {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let list = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                if case .array(let remove) = value, case .array(let items)? = result[list] {
                    result[list] = .array(items.filter { !remove.contains($0) })
                }
                continue
            }
            switch value {
            case .null:
                result.removeValue(forKey: key)
            case .array(let items):
                if let mergeKey = mergeKeys[childPath] {
                    result[key] = mergeList(items, into: result[key], key: mergeKey, path: childPath)
                } else {
                    result[key] = value
                }
            case .object:
                let merged = strategic(value, into: result[key] ?? .null, path: childPath)
                if merged == .null { result.removeValue(forKey: key) } else { result[key] = merged }
            default:
                result[key] = value
            }
        }
        return .object(result)
    }

    private static func mergeList(_ patchItems: [JSONValue], into target: JSONValue?, key: String, path: String) -> JSONValue {
        var items: [JSONValue]
        if case .array(let existing)? = target { items = existing } else { items = [] }
        if patchItems.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patchItems.filter { $0["$patch"] == nil })
        }
        for item in patchItems {
            guard let id = item[key] else {
                items.append(item)
                continue
            }
            let index = items.firstIndex { $0[key] == id }
            if item["$patch"]?.stringValue == "delete" {
                if let index { items.remove(at: index) }
            } else if let index {
                items[index] = strategic(item, into: items[index], path: path)
            } else {
                items.append(strategic(item, into: .null, path: path))
            }
        }
        return .array(items)
    }

    /// RFC 6902 operations: add, remove, replace, move, copy, test.
    static func jsonPatch(_ patch: JSONValue, to document: JSONValue, sizeLimit: Int) throws -> JSONValue {
        guard case .array(let operations) = patch else { throw WharfError(.badRequest, "a JSON patch must be an array of operations") }
        var result = document
        // What the document may still grow by. Removals give nothing back, so the bound holds however ops are mixed.
        var room = sizeLimit - document.encodedSize(limit: sizeLimit)
        func grow(by value: JSONValue) throws {
            room -= value.encodedSize(limit: max(0, room) + 1)
            guard room >= 0 else {
                throw WharfError(.manifestTooLarge, "the patched object would be larger than \(sizeLimit) bytes")
            }
        }
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw WharfError(.badRequest, "each JSON patch operation needs \"op\" and \"path\"")
            }
            let pointer = try JSONPointer(path)
            switch op {
            case "add":
                try grow(by: operation["value"] ?? .null)
                result = try pointer.set(operation["value"] ?? .null, in: result, inserting: true)
            case "remove":
                result = try pointer.remove(from: result)
            case "replace":
                _ = try pointer.get(from: result)
                try grow(by: operation["value"] ?? .null)
                result = try pointer.set(operation["value"] ?? .null, in: result, inserting: false)
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw WharfError(.badRequest, "\(op) needs \"from\"") }
                let source = try JSONPointer(from)
                let value = try source.get(from: result)
                if op == "copy" { try grow(by: value) }
                if op == "move" { result = try source.remove(from: result) }
                result = try pointer.set(value, in: result, inserting: true)
            case "test":
                guard try pointer.get(from: result) == operation["value"] ?? .null else {
                    throw WharfError(.invalid, "the JSON patch test at \(path) failed")
                }
            default:
                throw WharfError(.badRequest, "unknown JSON patch operation \"\(op)\"")
            }
        }
        return result
    }
}

/// An RFC 6901 JSON pointer.
struct JSONPointer {
    let tokens: [String]

    init(_ text: String) throws {
        guard text.isEmpty || text.hasPrefix("/") else { throw WharfError(.badRequest, "invalid JSON pointer \"\(text)\"") }
        tokens = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    func get(from document: JSONValue) throws -> JSONValue {
        var current = document
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw missing }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { throw missing }
                current = items[index]
            default:
                throw missing
            }
        }
        return current
    }

    func set(_ value: JSONValue, in document: JSONValue, inserting: Bool) throws -> JSONValue {
        try update(document, tokens[...]) { container, last in
            switch container {
            case .object(var members):
                members[last] = value
                return .object(members)
            case .array(var items):
                if last == "-" { items.append(value); return .array(items) }
                guard let index = Int(last), index >= 0, index <= items.count, inserting || index < items.count else { throw missing }
                if inserting { items.insert(value, at: index) } else { items[index] = value }
                return .array(items)
            default:
                throw missing
            }
        }
    }

    func remove(from document: JSONValue) throws -> JSONValue {
        try update(document, tokens[...]) { container, last in
            switch container {
            case .object(var members):
                guard members.removeValue(forKey: last) != nil else { throw missing }
                return .object(members)
            case .array(var items):
                guard let index = Int(last), items.indices.contains(index) else { throw missing }
                items.remove(at: index)
                return .array(items)
            default:
                throw missing
            }
        }
    }

    private func update(_ value: JSONValue, _ rest: ArraySlice<String>, _ change: (JSONValue, String) throws -> JSONValue) throws -> JSONValue {
        guard let first = rest.first else { throw WharfError(.badRequest, "a JSON patch cannot replace the whole document") }
        if rest.count == 1 { return try change(value, first) }
        switch value {
        case .object(var members):
            guard let child = members[first] else { throw missing }
            members[first] = try update(child, rest.dropFirst(), change)
            return .object(members)
        case .array(var items):
            guard let index = Int(first), items.indices.contains(index) else { throw missing }
            items[index] = try update(items[index], rest.dropFirst(), change)
            return .array(items)
        default:
            throw missing
        }
    }

    private var missing: WharfError {
        WharfError(.invalid, "the JSON patch path /\(tokens.joined(separator: "/")) does not exist")
    }
}
