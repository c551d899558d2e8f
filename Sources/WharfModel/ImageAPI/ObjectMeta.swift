/// Kubernetes object metadata, as far as Wharf keeps it.
public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Time?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(name: String? = nil, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }
}

/// The `metadata` of a list response.
public struct ListMeta: Codable, Sendable {
    public var resourceVersion: String?
    public var `continue`: String?

    public init(resourceVersion: String?, continue token: String? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = token
    }
}

/// A typed list (`ImageList`, `ImageStreamList`, …).
public struct ObjectList<Item: Codable & Sendable>: Codable, Sendable {
    public var kind: String
    public var apiVersion: String
    public var metadata: ListMeta
    public var items: [Item]

    public init(kind: String, apiVersion: String = ImageAPIGroup.version, metadata: ListMeta, items: [Item]) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.items = items
    }
}

/// The API group served under `/apis/image.openshift.io/v1`.
public enum ImageAPIGroup {
    public static let name = "image.openshift.io"
    public static let version = "image.openshift.io/v1"
}

/// A reference to another object (`spec.tags[].from`).
public struct ObjectReference: Codable, Sendable, Equatable {
    public var kind: String?
    public var namespace: String?
    public var name: String?

    public init(kind: String?, namespace: String? = nil, name: String?) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }
}

/// A JSON `{}` value, as in `ExposedPorts: {"8080/tcp": {}}`.
public struct EmptyObject: Codable, Sendable, Equatable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
    public func encode(to encoder: any Encoder) throws {
        _ = encoder.container(keyedBy: EmptyKey.self)
    }
    private struct EmptyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
