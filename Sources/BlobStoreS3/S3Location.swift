public import Foundation
import WharfModel

/// Where blobs live in S3, parsed once from `--blob-store`:
/// `s3://<bucket>[/<prefix>]?endpoint=<http(s)://host[:port]>&region=<region>&style=path|virtual`.
/// Without `endpoint`, AWS's regional endpoint; without `style`, path-style addressing for a custom endpoint (what
/// MinIO, Ceph and moto expect) and virtual-hosted addressing for AWS.
public struct S3Location: Sendable, Equatable {
    public var bucket: String
    /// Prepended to every key, without a trailing slash; empty for none.
    public var prefix: String
    public var endpoint: URL
    public var region: String
    public var virtualHosted: Bool

    public init(bucket: String, prefix: String = "", endpoint: URL, region: String, virtualHosted: Bool) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.virtualHosted = virtualHosted
    }

    /// Parses `--blob-store`; `invalid` names what is wrong.
    public init(parsing text: String) throws {
        guard let components = URLComponents(string: text), components.scheme == "s3", let bucket = components.host, !bucket.isEmpty else {
            throw WharfError(.invalid, "--blob-store must look like s3://<bucket>?endpoint=http://host:port&region=us-east-1")
        }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] { options[item.name] = item.value ?? "" }
        let unknown = Set(options.keys).subtracting(["endpoint", "region", "style"])
        guard unknown.isEmpty else { throw WharfError(.invalid, "--blob-store: unknown option \(unknown.sorted().joined(separator: ", "))") }
        let region = options["region"] ?? "us-east-1"
        let endpoint: URL
        if let given = options["endpoint"] {
            guard let url = URL(string: given), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw WharfError(.invalid, "--blob-store: endpoint must be an http:// or https:// URL")
            }
            endpoint = url
        } else {
            endpoint = URL(string: "https://s3.\(region).amazonaws.com")!
        }
        let style = options["style"] ?? (options["endpoint"] == nil ? "virtual" : "path")
        guard style == "path" || style == "virtual" else { throw WharfError(.invalid, "--blob-store: style must be path or virtual") }
        self.init(bucket: bucket, prefix: components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")), endpoint: endpoint,
                  region: region, virtualHosted: style == "virtual")
    }

    /// `key` with the prefix before it: the object's key in the bucket.
    func fullKey(_ key: String) -> String {
        prefix.isEmpty ? key : prefix + "/" + key
    }

    /// The Host header and the decoded path of `key`'s object; the bucket's own for an empty key.
    func hostAndPath(of key: String) -> (host: String, path: String) {
        let full = key.isEmpty ? "" : fullKey(key)
        let host = endpoint.host! + (endpoint.port.map { ":\($0)" } ?? "")
        return virtualHosted ? ("\(bucket).\(host)", "/\(full)") : (host, full.isEmpty ? "/\(bucket)" : "/\(bucket)/\(full)")
    }

    /// The URL of a request, encoded as it was signed.
    func url(host: String, path: String, query: [(name: String, value: String)]) -> String {
        let encodedQuery = query.map { "\(SigV4Signer.encode($0.name))=\(SigV4Signer.encode($0.value))" }.joined(separator: "&")
        return "\(endpoint.scheme!)://\(host)\(SigV4Signer.encodePath(path))" + (query.isEmpty ? "" : "?" + encodedQuery)
    }
}
