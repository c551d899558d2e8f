public import BlobStoreS3
import Foundation
import WharfModel

/// Where blobs live apart from the data directory, as `--blob-store` (`WHARF_BLOB_STORE`) names it: an S3 bucket
/// (`s3://bucket[/prefix]?endpoint=…&region=…&style=path|virtual`, credentials from the standard AWS variables) or
/// an absolute directory, such as a file system that replicas share.
public enum BlobStoreLocation: Sendable, Equatable {
    case directory(String)
    case s3(S3Location)

    /// Parses `--blob-store`; `invalid` says what is wrong.
    public init(parsing text: String) throws {
        if text.hasPrefix("s3://") {
            self = .s3(try S3Location(parsing: text))
        } else if text.hasPrefix("/") {
            self = .directory(URL(fileURLWithPath: text).standardizedFileURL.path)
        } else {
            throw WharfError(.invalid, "--blob-store must be s3://<bucket>?endpoint=…&region=… or an absolute directory, not \(text.prefix(200))")
        }
    }

    /// The AWS credentials an S3 location needs, from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
    /// `AWS_SESSION_TOKEN`); `invalid` when they are not set.
    public static func credentials(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SigV4Signer.Credentials {
        guard let credentials = SigV4Signer.Credentials.fromEnvironment(environment) else {
            throw WharfError(.invalid, "--blob-store s3://… needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        }
        return credentials
    }
}
