/// A core `v1` Namespace. Wharf derives namespaces from the image streams that exist.
public struct Namespace: Codable, Sendable {
    public struct Spec: Codable, Sendable { public var finalizers = ["kubernetes"] }
    public struct Status: Codable, Sendable { public var phase = "Active" }

    public var kind = "Namespace"
    public var apiVersion = "v1"
    public var metadata: ObjectMeta
    public var spec = Spec()
    public var status = Status()

    public init(metadata: ObjectMeta) { self.metadata = metadata }
}
