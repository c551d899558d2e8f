import Foundation
import Testing
import WharfModel

@Suite("Manifests are kept as received and validated through a parsed view")
struct ManifestPayloadTests {
    static let config = "sha256:" + String(repeating: "c", count: 64)
    static let layer = "sha256:" + String(repeating: "d", count: 64)

    static func image(mediaType: String? = MediaType.ociManifest, extra: String = "") -> [UInt8] {
        let type = mediaType.map { "\"mediaType\":\"\($0)\"," } ?? ""
        return Array("""
            {"schemaVersion":2,\(type)"config":{"mediaType":"\(MediaType.ociConfig)","digest":"\(config)","size":10},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(layer)","size":20}]\(extra)}
            """.utf8)
    }

    @Test("The digest is computed over the exact bytes")
    func digestOverBytes() throws {
        let bytes = Self.image()
        let spaced = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        let a = try ManifestPayload(bytes: bytes, contentType: MediaType.ociManifest)
        let b = try ManifestPayload(bytes: spaced, contentType: MediaType.ociManifest)
        #expect(a.digest == Digest.sha256(of: bytes))
        #expect(b.digest == Digest.sha256(of: spaced))
        #expect(a.digest != b.digest)
        #expect(a.descriptors.map(\.digest.description) == [Self.config, Self.layer])
    }

    @Test("The media type comes from the body, else from Content-Type")
    func mediaTypeResolution() throws {
        #expect(try ManifestPayload(bytes: Self.image(mediaType: nil), contentType: MediaType.dockerManifest).mediaType
            == MediaType.dockerManifest)
        #expect(try ManifestPayload(bytes: Self.image(), contentType: "application/json").mediaType == MediaType.ociManifest)
        #expect(try ManifestPayload(bytes: Self.image(mediaType: nil), contentType: nil).mediaType == MediaType.ociManifest)
    }

    @Test("Bad manifests are MANIFEST_INVALID", arguments: [
        ("not json", "application/json"),
        ("[]", MediaType.ociManifest),
        ("{\"schemaVersion\":1}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"mediaType\":\"text/plain\",\"config\":{}}", "text/plain"),
        ("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\"}", MediaType.ociIndex),
        ("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:bad\",\"size\":1}]}",
         MediaType.ociIndex),
    ])
    func invalid(_ body: String, _ contentType: String) {
        do {
            _ = try ManifestPayload(bytes: Array(body.utf8), contentType: contentType)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.code == .manifestInvalid)
        }
    }

    @Test("A body whose mediaType contradicts Content-Type is refused")
    func conflictingTypes() {
        #expect(throws: WharfError.self) { try ManifestPayload(bytes: Self.image(), contentType: MediaType.dockerManifest) }
    }

    @Test("Manifests over 4 MiB are manifestTooLarge")
    func tooLarge() {
        let huge = Self.image(extra: ",\"annotations\":{\"x\":\"" + String(repeating: "a", count: 4 * 1024 * 1024) + "\"}")
        do {
            _ = try ManifestPayload(bytes: huge, contentType: MediaType.ociManifest)
            Issue.record("accepted a huge manifest")
        } catch {
            #expect(error.code == .manifestTooLarge)
        }
    }

    @Test("Subject and artifactType are read for the referrers index")
    func subject() throws {
        let subject = "sha256:" + String(repeating: "e", count: 64)
        let payload = try ManifestPayload(bytes: Self.image(extra: """
            ,"artifactType":"application/x-sig","subject":{"mediaType":"\(MediaType.ociManifest)","digest":"\(subject)","size":5}
            """), contentType: MediaType.ociManifest)
        #expect(payload.subject?.digest.description == subject)
        #expect(payload.artifactType == "application/x-sig")
    }
}
