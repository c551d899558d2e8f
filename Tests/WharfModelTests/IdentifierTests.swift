import Testing
import WharfModel

@Suite("Identifiers are parsed once, at the edge")
struct IdentifierTests {
    @Test("Digests: sha256 and sha512 with lowercase hex of the right length", arguments: [
        ("sha256:" + String(repeating: "a", count: 64), true),
        ("sha512:" + String(repeating: "0", count: 128), true),
        ("sha256:" + String(repeating: "A", count: 64), false),
        ("sha256:" + String(repeating: "a", count: 63), false),
        ("sha384:" + String(repeating: "a", count: 96), false),
        ("sha256:totallywrong", false),
        ("", false),
    ])
    func digests(_ text: String, _ valid: Bool) {
        #expect((Digest(text) != nil) == valid)
    }

    @Test("The digest of bytes is their SHA-256")
    func digestOfBytes() {
        #expect(Digest.sha256(of: Array("abc".utf8)).description
            == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(of: [UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("Repository names are <namespace>/<stream>, each at most 63 characters", arguments: [
        ("test/origin-ruby-sample", true),
        ("a/b", true),
        ("my-project/app.v2_x", true),
        (String(repeating: "n", count: 63) + "/" + String(repeating: "s", count: 63), true),
        (String(repeating: "n", count: 64) + "/s", false),
        ("n/" + String(repeating: "s", count: 64), false),
        ("single", false),
        ("a/b/c", false),
        ("Upper/case", false),
        ("-ns/x", false),
        ("ns-/x", false),
        ("ns/x..y", false),
        ("ns/.x", false),
        ("ns/x-", false),
        ("ns/", false),
        ("../x", false),
        ("ns/%2e", false),
    ])
    func repositoryNames(_ text: String, _ valid: Bool) {
        #expect(((try? RepositoryName(parsing: text)) != nil) == valid)
    }

    @Test("An invalid name is nameInvalid")
    func nameInvalidCode() {
        #expect(throws: WharfError.self) { try RepositoryName(parsing: "a/b/c") }
        do {
            _ = try RepositoryName(parsing: "A/b")
        } catch {
            #expect(error.code == .nameInvalid)
        }
    }

    @Test("Tags match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}", arguments: [
        ("latest", true), ("v1.0-rc_1", true), ("_x", true), (String(repeating: "t", count: 128), true),
        (String(repeating: "t", count: 129), false), (".x", false), ("-x", false), ("a:b", false), ("", false),
    ])
    func tags(_ text: String, _ valid: Bool) {
        #expect((Tag(text) != nil) == valid)
    }

    @Test("References with a colon are digests")
    func references() throws {
        #expect(try Reference.parse("latest") == .tag(Tag("latest")!))
        let digest = "sha256:" + String(repeating: "b", count: 64)
        #expect(try Reference.parse(digest) == .digest(Digest(digest)!))
        #expect(throws: WharfError.self) { try Reference.parse("sha256:short") }
    }

    @Test("RFC 3339 times round-trip at second precision", arguments: [
        ("2016-01-29T13:40:00Z", "2016-01-29T13:40:00Z"),
        ("2016-01-29T13:40:00.123456789Z", "2016-01-29T13:40:00Z"),
        ("2016-01-29T15:40:00+02:00", "2016-01-29T13:40:00Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
        ("2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z"),
    ])
    func times(_ input: String, _ output: String) {
        #expect(Time(rfc3339: input)?.description == output)
    }

    @Test("Malformed times are rejected", arguments: ["2016-01-29", "2016-13-01T00:00:00Z", "2016-01-29T13:40:00", "yesterday"])
    func badTimes(_ input: String) {
        #expect(Time(rfc3339: input) == nil)
    }
}
