/// The form of an upload session's id, which blob stores use as a file name or in an object key: lowercase hex and
/// dashes, 1 to 64 bytes (the registry makes them from UUIDs). Any other id names no upload.
public enum UploadID {
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || byte == UInt8(ascii: "-")
        }
    }
}
