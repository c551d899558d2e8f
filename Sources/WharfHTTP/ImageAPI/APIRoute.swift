import Foundation
import WharfModel

/// A request under `/apis/image.openshift.io/v1/`, parsed from the path. Names are percent-decoded.
enum APIRoute: Equatable {
    case images(name: String?)
    case imageStreams(namespace: String?, name: String?)
    case imageStreamMappings(namespace: String)
    case imageStreamTag(namespace: String, name: String)
    case imageStreamImage(namespace: String, name: String)

    static let prefix = "/apis/\(ImageAPIGroup.version)"

    /// Throws `notFound` ("the server could not find the requested resource") for any other path.
    static func parse(path: String) throws(WharfError) -> APIRoute {
        guard path.hasPrefix(prefix + "/") else { throw unknown }
        let parts = path.dropFirst(prefix.count + 1).split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).removingPercentEncoding ?? String($0) }
        switch parts.count {
        case 1 where parts[0] == "images": return .images(name: nil)
        case 2 where parts[0] == "images" && !parts[1].isEmpty: return .images(name: parts[1])
        case 1 where parts[0] == "imagestreams": return .imageStreams(namespace: nil, name: nil)
        case 3 where parts[0] == "namespaces" && !parts[1].isEmpty:
            switch parts[2] {
            case "imagestreams": return .imageStreams(namespace: parts[1], name: nil)
            case "imagestreammappings": return .imageStreamMappings(namespace: parts[1])
            default: throw unknown
            }
        case 4 where parts[0] == "namespaces" && !parts[1].isEmpty && !parts[3].isEmpty:
            switch parts[2] {
            case "imagestreams": return .imageStreams(namespace: parts[1], name: parts[3])
            case "imagestreamtags": return .imageStreamTag(namespace: parts[1], name: parts[3])
            case "imagestreamimages": return .imageStreamImage(namespace: parts[1], name: parts[3])
            default: throw unknown
            }
        default:
            throw unknown
        }
    }

    static let unknown = WharfError(.notFound, "the server could not find the requested resource")
}
