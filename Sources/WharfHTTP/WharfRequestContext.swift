public import Hummingbird

/// The request context of every Wharf route.
public struct WharfRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
