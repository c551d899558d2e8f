/// Builders for Kubernetes-style API errors, with Kubernetes' message shapes (reference image API §10).
/// `resource` is the plural resource (`imagestreams`); `group` defaults to `image.openshift.io`.
public enum KubernetesError {
    public static func notFound(_ resource: String, _ name: String, group: String = ImageAPIGroup.name) -> WharfError {
        WharfError(.notFound, "\(qualified(resource, group)) \"\(name)\" not found", resource: resource, name: name, group: group)
    }

    public static func alreadyExists(_ resource: String, _ name: String, group: String = ImageAPIGroup.name) -> WharfError {
        WharfError(.alreadyExists, "\(qualified(resource, group)) \"\(name)\" already exists", resource: resource, name: name, group: group)
    }

    public static func conflict(_ resource: String, _ name: String, group: String = ImageAPIGroup.name) -> WharfError {
        WharfError(.conflict, """
            Operation cannot be fulfilled on \(qualified(resource, group)) "\(name)": the object has been modified; \
            please apply your changes to the latest version and try again
            """, resource: resource, name: name, group: group)
    }

    /// `<Kind>.<group> "<name>" is invalid: [<field>: <cause>, …]` with the causes attached.
    public static func invalid(_ kind: String, _ name: String, _ causes: [FieldCause], group: String = ImageAPIGroup.name) -> WharfError {
        let joined = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        let summary = causes.count == 1 ? joined : "[\(joined)]"
        return WharfError(.invalid, "\(qualified(kind, group)) \"\(name)\" is invalid: \(summary)", resource: kind, name: name,
                          group: group, causes: causes)
    }

    public static func badRequest(_ message: String) -> WharfError {
        WharfError(.badRequest, message)
    }

    /// `resource.group`, or the bare resource in the core group.
    private static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }
}
