/// How a digest belongs to an image stream through the images it references.
public enum StreamReference: Sendable, Equatable {
    case manifest(mediaType: String)
    case blob
}
