public import WharfModel

/// Builders for the image API's errors, with Kubernetes' message shapes (reference §10).
public enum KubernetesError {
    public static func notFound(_ resource: String, _ name: String) -> WharfError {
        WharfError(.notFound, "\(resource).\(ImageAPIGroup.name) \"\(name)\" not found", resource: resource, name: name)
    }

    public static func alreadyExists(_ resource: String, _ name: String) -> WharfError {
        WharfError(.alreadyExists, "\(resource).\(ImageAPIGroup.name) \"\(name)\" already exists", resource: resource, name: name)
    }

    public static func conflict(_ resource: String, _ name: String) -> WharfError {
        WharfError(.conflict, """
            Operation cannot be fulfilled on \(resource).\(ImageAPIGroup.name) "\(name)": the object has been modified; \
            please apply your changes to the latest version and try again
            """, resource: resource, name: name)
    }

    /// `<Kind>.image.openshift.io "<name>" is invalid: [<field>: <cause>, …]` with the causes attached.
    public static func invalid(_ kind: String, _ name: String, _ causes: [FieldCause]) -> WharfError {
        let joined = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        let summary = causes.count == 1 ? joined : "[\(joined)]"
        return WharfError(.invalid, "\(kind).\(ImageAPIGroup.name) \"\(name)\" is invalid: \(summary)", resource: kind, name: name,
                          causes: causes)
    }

    public static func badRequest(_ message: String) -> WharfError {
        WharfError(.badRequest, message)
    }
}
