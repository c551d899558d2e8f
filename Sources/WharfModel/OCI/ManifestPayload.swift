import Foundation

/// A manifest exactly as the client sent it, plus a parsed view for validation.
///
/// The bytes are never re-encoded: the digest is computed over them and they are served back unchanged.
public struct ManifestPayload: Sendable {
    /// Manifests larger than this are refused with `manifestTooLarge`.
    public static let maxSize = 4 * 1024 * 1024
    /// Manifests referencing more layers (or, for an index, more manifests) than this are refused with
    /// `manifestInvalid`: every one becomes part of the stored Image, which has a size limit of its own.
    public static let maxDescriptors = 1000

    public enum Content: Sendable {
        case image(ImageManifest)
        case index(ImageIndex)
    }

    public let bytes: [UInt8]
    public let digest: Digest
    public let mediaType: String
    public let content: Content

    /// Parses `bytes` received with `contentType`.
    ///
    /// The media type is the body's `mediaType` member, else the Content-Type. When both are given they must agree.
    /// Throws `manifestInvalid` for malformed JSON, a wrong schema version, an unsupported or conflicting media type,
    /// or a missing required member; for a byte-order mark, a key given twice in one object (readers disagree on
    /// which one counts), nesting deeper than `JSONStructure.depthLimit` or more than ``maxDescriptors`` references;
    /// `manifestTooLarge` above ``maxSize``.
    public init(bytes: [UInt8], contentType: String?, digestAlgorithm: Digest.Algorithm = .sha256) throws(WharfError) {
        guard bytes.count <= Self.maxSize else {
            throw WharfError(.manifestTooLarge, "manifest is larger than \(Self.maxSize) bytes")
        }
        guard !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else {
            throw WharfError(.manifestInvalid, "manifest starts with a byte-order mark, which JSON does not allow (RFC 8259 §8.1)")
        }
        let structure = JSONStructure(scanning: bytes, depthLimit: JSONStructure.depthLimit)
        if structure.tooDeep {
            throw WharfError(.manifestInvalid, "manifest nests deeper than \(JSONStructure.depthLimit) levels")
        }
        if let key = structure.duplicateKeys.first {
            throw WharfError(.manifestInvalid, "manifest has the key \"\(key.prefix(100))\" twice; clients would disagree on its value")
        }
        let probe: Probe
        do {
            probe = try JSONDecoder().decode(Probe.self, from: Data(bytes))
        } catch {
            throw WharfError(.manifestInvalid, "manifest is not a valid JSON object: \(Self.describe(error))", cause: error)
        }
        guard probe.schemaVersion == 2 else {
            if probe.schemaVersion == 1 {
                throw WharfError(.manifestInvalid, "Docker schema 1 manifests are not supported; push schema 2 or OCI")
            }
            throw WharfError(.manifestInvalid, "schemaVersion must be 2")
        }
        let header = contentType.map(MediaType.essence).flatMap { $0.isEmpty ? nil : $0 }
        let known = MediaType.imageManifests.union(MediaType.indexes)
        if let body = probe.mediaType, let header, known.contains(header), body != header {
            throw WharfError(.manifestInvalid, "manifest mediaType \"\(body)\" does not match Content-Type \"\(header)\"")
        }
        let resolved: String
        if let body = probe.mediaType {
            resolved = body
        } else if let header, known.contains(header) {
            resolved = header
        } else if probe.hasManifests {
            resolved = MediaType.ociIndex
        } else {
            resolved = MediaType.ociManifest
        }
        let decoder = JSONDecoder()
        let parsed: Content
        do {
            if MediaType.imageManifests.contains(resolved) {
                parsed = .image(try decoder.decode(ImageManifest.self, from: Data(bytes)))
            } else if MediaType.indexes.contains(resolved) {
                parsed = .index(try decoder.decode(ImageIndex.self, from: Data(bytes)))
            } else {
                throw WharfError(.manifestInvalid, "unsupported manifest media type \"\(resolved)\"")
            }
        } catch let error as WharfError {
            throw error
        } catch {
            throw WharfError(.manifestInvalid, "invalid \(resolved) manifest: \(Self.describe(error))", cause: error)
        }
        let (count, what) = switch parsed {
        case .image(let manifest): (manifest.layers.count, "layers")
        case .index(let index): (index.manifests.count, "manifests")
        }
        if count > Self.maxDescriptors {
            throw WharfError(.manifestInvalid, "manifest has \(count) \(what); at most \(Self.maxDescriptors) are allowed")
        }
        for descriptor in Self.descriptors(of: parsed) where descriptor.size < 0 {
            throw WharfError(.manifestInvalid, "descriptor \(descriptor.digest) has a negative size")
        }
        self.content = parsed
        self.bytes = bytes
        self.mediaType = resolved
        var hasher = DigestHasher(digestAlgorithm)
        hasher.update(bytes)
        self.digest = hasher.finalize()
    }

    /// Every descriptor the manifest references: config and layers, or the child manifests.
    public var descriptors: [Descriptor] { Self.descriptors(of: content) }

    static func descriptors(of content: Content) -> [Descriptor] {
        switch content {
        case .image(let manifest): return [manifest.config] + manifest.layers
        case .index(let index): return index.manifests
        }
    }

    public var subject: Descriptor? {
        switch content {
        case .image(let manifest): return manifest.subject
        case .index(let index): return index.subject
        }
    }

    public var annotations: [String: String]? {
        switch content {
        case .image(let manifest): return manifest.annotations
        case .index(let index): return index.annotations
        }
    }

    /// The artifact type the referrers API reports: `artifactType`, else the config media type (image manifests only).
    public var artifactType: String? {
        switch content {
        case .image(let manifest): return manifest.artifactType.flatMap { $0.isEmpty ? nil : $0 } ?? manifest.config.mediaType
        case .index(let index): return index.artifactType.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    private struct Probe: Decodable {
        var schemaVersion: Int?
        var mediaType: String?
        var manifests: [IgnoredValue]?
        var hasManifests: Bool { manifests != nil }
    }

    private struct IgnoredValue: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing member \(Self.path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(Self.path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed JSON" : "\(context.debugDescription) at \(Self.path(context.codingPath))"
        default:
            return "malformed JSON"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
