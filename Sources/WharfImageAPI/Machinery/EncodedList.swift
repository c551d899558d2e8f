public import WharfModel

/// A LIST answer whose items are JSON documents already in their answer form (computed fields filled, keys sorted),
/// so that it can be written without decoding and encoding every item (see `ImageAPI.listDocuments`).
public struct EncodedList: Sendable {
    /// The list kind, such as `ImageStreamList`.
    public var kind: String
    public var metadata: ListMeta
    /// One JSON object per item, in list order.
    public var items: [[UInt8]]
}
