/// An ImageStream: a namespaced set of tags, each with a history of images. The source of truth for tags.
public struct ImageStream: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var spec: ImageStreamSpec
    public var status: ImageStreamStatus

    public init(metadata: ObjectMeta) {
        self.metadata = metadata
        self.spec = ImageStreamSpec()
        self.status = ImageStreamStatus()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(ImageStreamSpec.self, forKey: .spec) ?? ImageStreamSpec()
        status = try c.decodeIfPresent(ImageStreamStatus.self, forKey: .status) ?? ImageStreamStatus()
    }

    /// The newest event of `tag`, if the tag has history.
    public func currentEvent(of tag: String) -> TagEvent? {
        status.tags?.first { $0.tag == tag }?.items?.first
    }

    /// Every tag with at least one event, mapped to the image of its newest event.
    public var currentImages: [String: String] {
        var result: [String: String] = [:]
        for list in status.tags ?? [] {
            if let image = list.items?.first?.image, !image.isEmpty { result[list.tag] = image }
        }
        return result
    }
}

public struct ImageStreamSpec: Codable, Sendable, Equatable {
    public var lookupPolicy: LookupPolicy
    public var dockerImageRepository: String?
    public var tags: [TagReference]?

    public init() { lookupPolicy = LookupPolicy() }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lookupPolicy = try c.decodeIfPresent(LookupPolicy.self, forKey: .lookupPolicy) ?? LookupPolicy()
        dockerImageRepository = try c.decodeIfPresent(String.self, forKey: .dockerImageRepository)
        tags = try c.decodeIfPresent([TagReference].self, forKey: .tags)
    }
}

public struct LookupPolicy: Codable, Sendable, Equatable {
    public var local: Bool
    public init(local: Bool = false) { self.local = local }
    public init(from decoder: any Decoder) throws {
        local = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Bool.self, forKey: .local) ?? false
    }
}

/// A spec tag: where a tag's image comes from.
public struct TagReference: Codable, Sendable, Equatable {
    public var name: String
    public var annotations: [String: String]?
    public var from: ObjectReference?
    public var reference: Bool?
    public var generation: Int64?
    public var importPolicy: TagImportPolicy?
    public var referencePolicy: TagReferencePolicy?

    enum CodingKeys: String, CodingKey {
        case name, annotations, from, reference, generation, importPolicy, referencePolicy
    }

    public init(name: String, from: ObjectReference? = nil) {
        self.name = name
        self.from = from
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        from = try c.decodeIfPresent(ObjectReference.self, forKey: .from)
        reference = try c.decodeIfPresent(Bool.self, forKey: .reference)
        generation = try c.decodeIfPresent(Int64.self, forKey: .generation)
        importPolicy = try c.decodeIfPresent(TagImportPolicy.self, forKey: .importPolicy)
        referencePolicy = try c.decodeIfPresent(TagReferencePolicy.self, forKey: .referencePolicy)
    }

    /// `annotations` and `generation` are written as `null` when unset, as OpenShift does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(annotations, forKey: .annotations)
        try c.encodeIfPresent(from, forKey: .from)
        if reference == true { try c.encode(true, forKey: .reference) }
        try c.encode(generation, forKey: .generation)
        try c.encode(importPolicy ?? TagImportPolicy(), forKey: .importPolicy)
        try c.encode(referencePolicy ?? TagReferencePolicy(), forKey: .referencePolicy)
    }
}

public struct TagImportPolicy: Codable, Sendable, Equatable {
    public var insecure: Bool?
    public var scheduled: Bool?
    public var importMode: String?
    public init() { importMode = "Legacy" }
}

public struct TagReferencePolicy: Codable, Sendable, Equatable {
    public var type: String
    public init(type: String = "Source") { self.type = type }
}

public struct ImageStreamStatus: Codable, Sendable, Equatable {
    public var dockerImageRepository: String
    public var publicDockerImageRepository: String?
    public var tags: [NamedTagEventList]?

    public init() { dockerImageRepository = "" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dockerImageRepository = try c.decodeIfPresent(String.self, forKey: .dockerImageRepository) ?? ""
        publicDockerImageRepository = try c.decodeIfPresent(String.self, forKey: .publicDockerImageRepository)
        tags = try c.decodeIfPresent([NamedTagEventList].self, forKey: .tags)
    }
}

/// The history of one tag, newest event first.
public struct NamedTagEventList: Codable, Sendable, Equatable {
    public var tag: String
    public var items: [TagEvent]?
    public var conditions: [TagEventCondition]?

    public init(tag: String, items: [TagEvent]) {
        self.tag = tag
        self.items = items
    }

    /// `items` is written as `null` when absent, as OpenShift does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tag, forKey: .tag)
        try c.encode(items, forKey: .items)
        try c.encodeIfPresent(conditions, forKey: .conditions)
    }
}

/// One entry in a tag's history.
public struct TagEvent: Codable, Sendable, Equatable {
    public var created: Time
    public var dockerImageReference: String
    public var image: String
    public var generation: Int64

    public init(created: Time, dockerImageReference: String, image: String, generation: Int64) {
        self.created = created
        self.dockerImageReference = dockerImageReference
        self.image = image
        self.generation = generation
    }
}

public struct TagEventCondition: Codable, Sendable, Equatable {
    public var type: String
    public var status: String
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?
    public var generation: Int64
}
