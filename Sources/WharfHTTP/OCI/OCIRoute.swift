import HTTPTypes
import WharfModel

/// A request under `/v2/`, parsed once from the raw path into typed identifiers.
enum OCIRoute {
    case base
    case catalog
    case tags(RepositoryName)
    /// The reference is kept as a parse result: a malformed tag is an error to a PUT but simply names nothing to a GET.
    case manifest(RepositoryName, Result<Reference, WharfError>)
    case blob(RepositoryName, Digest)
    case uploads(RepositoryName)
    case upload(RepositoryName, String)
    case referrers(RepositoryName, Digest)

    /// Parses a raw request path (percent-encoding intact). The repository name is taken verbatim, so encoded
    /// characters such as `%2F` or `%2e` fail the name grammar; references and digests are percent-decoded.
    /// Throws `nameInvalid`, `digestInvalid` or `tagInvalid` for malformed parts, and `notFound` for paths that are
    /// not part of the API.
    static func parse(path: String) throws(WharfError) -> OCIRoute {
        guard path.hasPrefix("/v2") else { throw unknownPath }
        var rest = path.dropFirst(3)
        if rest.isEmpty || rest == "/" { return .base }
        guard rest.first == "/" else { throw unknownPath }
        rest = rest.dropFirst()
        if rest == "_catalog" { return .catalog }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func name(dropping count: Int) throws(WharfError) -> RepositoryName {
            guard parts.count > count else { throw unknownPath }
            return try RepositoryName(parsing: parts.dropLast(count).joined(separator: "/"))
        }
        let n = parts.count
        if n >= 3, parts[n - 2] == "tags", parts[n - 1] == "list" { return .tags(try name(dropping: 2)) }
        if n >= 3, parts[n - 2] == "manifests" { return .manifest(try name(dropping: 2), Result { () throws(WharfError) in try Reference.parse(decode(parts[n - 1])) }) }
        if n >= 3, parts[n - 2] == "blobs", parts[n - 1] == "uploads" { return .uploads(try name(dropping: 2)) }
        if n >= 4, parts[n - 3] == "blobs", parts[n - 2] == "uploads" {
            return parts[n - 1].isEmpty ? .uploads(try name(dropping: 3)) : .upload(try name(dropping: 3), parts[n - 1])
        }
        if n >= 3, parts[n - 2] == "blobs" { return .blob(try name(dropping: 2), try Digest.parse(decode(parts[n - 1]))) }
        if n >= 3, parts[n - 2] == "referrers" { return .referrers(try name(dropping: 2), try Digest.parse(decode(parts[n - 1]))) }
        throw unknownPath
    }

    static let unknownPath = WharfError(.notFound, "unknown path")

    /// Percent-decodes a path segment; malformed escapes are left as they are (and then fail validation).
    static func decode(_ segment: String) -> String {
        guard segment.contains("%") else { return segment }
        return segment.removingPercentEncoding ?? segment
    }
}

/// Builds every `Location` Wharf sends on `/v2/`.
enum OCIURLBuilder {
    static func blob(_ digest: Digest, in repository: RepositoryName) -> String { "/v2/\(repository)/blobs/\(digest)" }
    static func manifest(_ digest: Digest, in repository: RepositoryName) -> String { "/v2/\(repository)/manifests/\(digest)" }
    static func upload(_ id: String, in repository: RepositoryName) -> String { "/v2/\(repository)/blobs/uploads/\(id)" }
    static func tags(_ repository: RepositoryName, limit: Int, after last: String) -> String {
        "/v2/\(repository)/tags/list?n=\(limit)&last=\(last.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? last)"
    }
    static func catalog(limit: Int, after last: String) -> String {
        "/v2/_catalog?n=\(limit)&last=\(last.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? last)"
    }
}

import Foundation
