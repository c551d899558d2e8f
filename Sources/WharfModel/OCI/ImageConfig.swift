/// The parts of an OCI or Docker image configuration that the image API reports.
public struct ImageConfig: Decodable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var config: DockerConfig?
    public var containerConfig: DockerConfig?
    public var container: String?
    public var dockerVersion: String?
    public var comment: String?
    public var parent: String?

    enum CodingKeys: String, CodingKey {
        case created, author, architecture, os, variant, config, container, comment, parent
        case containerConfig = "container_config"
        case dockerVersion = "docker_version"
    }
}
