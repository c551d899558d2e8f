/// The media types Wharf understands.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"
    public static let dockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Manifest types that name a single image (config plus layers).
    public static let imageManifests: Set<String> = [ociManifest, dockerManifest]
    /// Manifest types that list other manifests.
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    /// Config types from which image metadata can be derived.
    public static let imageConfigs: Set<String> = [ociConfig, dockerConfig]

    /// `text` without parameters, lowercased: `application/json; charset=utf-8` → `application/json`.
    public static func essence(_ text: String) -> String {
        let base = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? text
        return base.trimmingSpaces().lowercased()
    }

    /// Whether a layer may legally live outside the registry (and so is not required to be present).
    public static func isNondistributable(_ type: String) -> Bool {
        type == dockerForeignLayer || type.hasPrefix("application/vnd.oci.image.layer.nondistributable.")
    }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
