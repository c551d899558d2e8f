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

    /// The most bytes an object may take as stored JSON (etcd, under Kubernetes, stops at about 1.5 MiB).
    public static let maxStoredSize = 1 << 20
    /// The most labels, and the most annotations, one object may carry.
    public static let maxLabels = 100, maxAnnotations = 100
    /// The most bytes of annotation keys and values together, as in Kubernetes.
    public static let maxAnnotationBytes = 256 << 10

    /// The limits above that these labels and annotations break, as field causes (empty when none).
    public var limitProblems: [FieldCause] {
        var causes: [FieldCause] = []
        if let labels, labels.count > Self.maxLabels {
            causes.append(FieldCause(.tooLong, field: "metadata.labels", message: "Too many: \(labels.count): must have at most \(Self.maxLabels) items"))
        }
        if let annotations {
            if annotations.count > Self.maxAnnotations {
                causes.append(FieldCause(.tooLong, field: "metadata.annotations",
                                         message: "Too many: \(annotations.count): must have at most \(Self.maxAnnotations) items"))
            }
            let bytes = annotations.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
            if bytes > Self.maxAnnotationBytes {
                causes.append(FieldCause(.tooLong, field: "metadata.annotations",
                                         message: "Too long: must have at most \(Self.maxAnnotationBytes) bytes"))
            }
        }
        return causes
    }
}

/// A stored API object: it has `metadata`, and the limits on it are checked before every write.
public protocol StoredAPIObject: Encodable {
    var metadata: ObjectMeta { get }
}

extension Image: StoredAPIObject {}
extension ImageStream: StoredAPIObject {}

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
