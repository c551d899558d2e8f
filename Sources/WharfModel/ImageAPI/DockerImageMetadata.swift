/// The `dockerImageMetadata` of an Image: OpenShift's `DockerImage` object, with Docker's PascalCase spellings.
public struct DockerImageMetadata: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var id: String
    public var parent: String?
    public var comment: String?
    public var created: Time?
    public var container: String?
    public var containerConfig: DockerConfig
    public var dockerVersion: String?
    public var author: String?
    public var config: DockerConfig?
    public var architecture: String?
    public var size: Int64?

    public init(id: String) {
        self.id = id
        self.containerConfig = DockerConfig()
    }

    enum CodingKeys: String, CodingKey {
        case kind, apiVersion
        case id = "Id", parent = "Parent", comment = "Comment", created = "Created", container = "Container"
        case containerConfig = "ContainerConfig", dockerVersion = "DockerVersion", author = "Author", config = "Config"
        case architecture = "Architecture", size = "Size"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        parent = try c.decodeIfPresent(String.self, forKey: .parent)
        comment = try c.decodeIfPresent(String.self, forKey: .comment)
        created = try c.decodeIfPresent(Time.self, forKey: .created)
        container = try c.decodeIfPresent(String.self, forKey: .container)
        containerConfig = try c.decodeIfPresent(DockerConfig.self, forKey: .containerConfig) ?? DockerConfig()
        dockerVersion = try c.decodeIfPresent(String.self, forKey: .dockerVersion)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        config = try c.decodeIfPresent(DockerConfig.self, forKey: .config)
        architecture = try c.decodeIfPresent(String.self, forKey: .architecture)
        size = try c.decodeIfPresent(Int64.self, forKey: .size)
    }

    /// Always writes `kind: DockerImage`, `apiVersion: image.openshift.io/1.0`, `Id`, `Created` (null when unknown)
    /// and `ContainerConfig`, as OpenShift does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("DockerImage", forKey: .kind)
        try c.encode("image.openshift.io/1.0", forKey: .apiVersion)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(parent, forKey: .parent)
        try c.encodeIfPresent(comment, forKey: .comment)
        try c.encode(created, forKey: .created)
        try c.encodeIfPresent(container, forKey: .container)
        try c.encode(containerConfig, forKey: .containerConfig)
        try c.encodeIfPresent(dockerVersion, forKey: .dockerVersion)
        try c.encodeIfPresent(author, forKey: .author)
        try c.encodeIfPresent(config, forKey: .config)
        try c.encodeIfPresent(architecture, forKey: .architecture)
        try c.encodeIfPresent(size, forKey: .size)
    }
}

/// A Docker container configuration (`Config`, `ContainerConfig`). Every member is optional and omitted when empty.
public struct DockerConfig: Codable, Sendable, Equatable {
    public var hostname: String?
    public var domainname: String?
    public var user: String?
    public var memory: Int64?
    public var memorySwap: Int64?
    public var cpuShares: Int64?
    public var cpuset: String?
    public var attachStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var portSpecs: [String]?
    public var exposedPorts: [String: EmptyObject]?
    public var tty: Bool?
    public var openStdin: Bool?
    public var stdinOnce: Bool?
    public var env: [String]?
    public var cmd: [String]?
    public var dns: [String]?
    public var image: String?
    public var volumes: [String: EmptyObject]?
    public var volumesFrom: String?
    public var workingDir: String?
    public var entrypoint: [String]?
    public var networkDisabled: Bool?
    public var securityOpts: [String]?
    public var onBuild: [String]?
    public var labels: [String: String]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname", domainname = "Domainname", user = "User", memory = "Memory", memorySwap = "MemorySwap"
        case cpuShares = "CpuShares", cpuset = "Cpuset", attachStdin = "AttachStdin", attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr", portSpecs = "PortSpecs", exposedPorts = "ExposedPorts", tty = "Tty"
        case openStdin = "OpenStdin", stdinOnce = "StdinOnce", env = "Env", cmd = "Cmd", dns = "Dns", image = "Image"
        case volumes = "Volumes", volumesFrom = "VolumesFrom", workingDir = "WorkingDir", entrypoint = "Entrypoint"
        case networkDisabled = "NetworkDisabled", securityOpts = "SecurityOpts", onBuild = "OnBuild", labels = "Labels"
    }

    /// Empty strings, `false` and empty collections are dropped, as Go's `omitempty` drops them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func put(_ value: String?, _ key: CodingKeys) throws { if let value, !value.isEmpty { try c.encode(value, forKey: key) } }
        func put(_ value: Int64?, _ key: CodingKeys) throws { if let value, value != 0 { try c.encode(value, forKey: key) } }
        func put(_ value: Bool?, _ key: CodingKeys) throws { if value == true { try c.encode(true, forKey: key) } }
        func put<T: Encodable & Collection>(_ value: T?, _ key: CodingKeys) throws {
            if let value, !value.isEmpty { try c.encode(value, forKey: key) }
        }
        try put(hostname, .hostname); try put(domainname, .domainname); try put(user, .user)
        try put(memory, .memory); try put(memorySwap, .memorySwap); try put(cpuShares, .cpuShares); try put(cpuset, .cpuset)
        try put(attachStdin, .attachStdin); try put(attachStdout, .attachStdout); try put(attachStderr, .attachStderr)
        try put(portSpecs, .portSpecs); try put(exposedPorts, .exposedPorts); try put(tty, .tty)
        try put(openStdin, .openStdin); try put(stdinOnce, .stdinOnce); try put(env, .env); try put(cmd, .cmd)
        try put(dns, .dns); try put(image, .image); try put(volumes, .volumes); try put(volumesFrom, .volumesFrom)
        try put(workingDir, .workingDir); try put(entrypoint, .entrypoint); try put(networkDisabled, .networkDisabled)
        try put(securityOpts, .securityOpts); try put(onBuild, .onBuild); try put(labels, .labels)
    }
}
