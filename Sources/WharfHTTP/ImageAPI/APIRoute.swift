import Foundation
import WharfModel

/// A request under `/apis/image.openshift.io/v1/`, parsed from the path. Names are percent-decoded.
struct APIRoute: Equatable {
    enum Resource: String, CaseIterable {
        case images, imagesignatures, imagestreams, imagestreammappings, imagestreamtags, imagetags, imagestreamimages, imagestreamimports
    }

    var resource: Resource
    var namespace: String?
    var name: String?
    var subresource: String?
    /// The deprecated `/watch/…` form.
    var legacyWatch = false

    static let prefix = "/apis/\(ImageAPIGroup.version)"
    /// The legacy un-grouped path, where kinds sent as `apiVersion: v1` (the seed document's form) are found.
    static let legacyPrefix = "/api/v1"

    /// Parses `[watch/][namespaces/<ns>/]<resource>[/<name>[/<subresource>]]` under either prefix.
    /// Throws `notFound` ("the server could not find the requested resource") for any other path.
    static func parse(path: String) throws(WharfError) -> APIRoute {
        let prefix = path.hasPrefix(legacyPrefix + "/") ? legacyPrefix : self.prefix
        guard path.hasPrefix(prefix + "/") else { throw unknown }
        var parts = path.dropFirst(prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).removingPercentEncoding ?? String($0) }[...]
        if parts.last == "" { parts = parts.dropLast() }
        var legacyWatch = false
        if parts.first == "watch" {
            legacyWatch = true
            parts = parts.dropFirst()
        }
        var namespace: String?
        if parts.first == "namespaces" {
            guard parts.count >= 3, !parts[parts.startIndex + 1].isEmpty else { throw unknown }
            namespace = parts[parts.startIndex + 1]
            parts = parts.dropFirst(2)
        }
        guard let first = parts.first, let resource = Resource(rawValue: first), parts.count <= 3, !parts.contains("") else { throw unknown }
        let name = parts.count >= 2 ? parts[parts.startIndex + 1] : nil
        let subresource = parts.count == 3 ? parts[parts.startIndex + 2] : nil
        let clusterScoped = resource == .images || resource == .imagesignatures
        if clusterScoped != (namespace == nil) && !(namespace == nil && name == nil) { throw unknown }
        return APIRoute(resource: resource, namespace: namespace, name: name, subresource: subresource, legacyWatch: legacyWatch)
    }

    static let unknown = WharfError(.notFound, "the server could not find the requested resource")
}
