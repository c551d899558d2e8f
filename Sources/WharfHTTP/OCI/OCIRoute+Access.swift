import HTTPTypes
import WharfModel

extension OCIRoute {
    /// What a request needs, in OpenShift's terms (reference registry §3.4): reads need `get imagestreams/layers`,
    /// writes also `update`, deletes of content need `delete images` (the pruner's right). `nil` for routes that only
    /// need a caller (the base) or filter per item (the catalog).
    func requirements(_ method: HTTPRequest.Method) -> (attributes: [ResourceAttributes], scope: String)? {
        func layers(_ repository: RepositoryName, _ verbs: [String]) -> [ResourceAttributes] {
            verbs.map { ResourceAttributes(namespace: repository.namespace, verb: $0, resource: "imagestreams", subresource: "layers",
                                           name: repository.name) }
        }
        switch self {
        case .base, .catalog:
            return nil
        case .tags(let repository), .referrers(let repository, _):
            return (layers(repository, ["get"]), "repository:\(repository):pull")
        case .manifest(let repository, _), .blob(let repository, _):
            switch method {
            case .get, .head: return (layers(repository, ["get"]), "repository:\(repository):pull")
            case .delete:
                return ([ResourceAttributes(namespace: nil, verb: "delete", resource: "images")], "repository:\(repository):delete")
            default: return (layers(repository, ["get", "update"]), "repository:\(repository):pull,push")
            }
        case .uploads(let repository), .upload(let repository, _):
            return (layers(repository, ["get", "update"]), "repository:\(repository):pull,push")
        }
    }
}
