import Testing
import WharfAccess
import WharfModel

@Suite("Trusted proxies: whose X-Forwarded-For names the client")
struct TrustedProxiesTests {
    let proxies = try! TrustedProxies(parsing: "10.0.0.0/8, 127.0.0.1,fd00::/8")

    @Test("Addresses and CIDR blocks of both families match; an IPv4-mapped IPv6 peer is its IPv4 address")
    func membership() {
        for address in ["10.1.2.3", "10.255.255.255", "127.0.0.1", "::ffff:127.0.0.1", "fd12::1"] {
            #expect(proxies.contains(address), "\(address)")
        }
        for address in ["11.0.0.1", "127.0.0.2", "fe80::1", "::1", "not-an-address", ""] {
            #expect(!proxies.contains(address), "\(address)")
        }
    }

    @Test("From a trusted peer the client is the rightmost untrusted hop; what a client prepends changes nothing")
    func rightmostUntrusted() {
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: ["203.0.113.7"]) == "203.0.113.7")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: ["1.2.3.4, 203.0.113.7, 10.0.0.9"]) == "203.0.113.7")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: ["1.2.3.4", "203.0.113.7"]) == "203.0.113.7")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: ["10.0.0.8, 10.0.0.9"]) == "10.0.0.8")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: ["garbage, 10.0.0.9"]) == "10.0.0.9")
        #expect(proxies.client(peer: "10.0.0.5", forwardedFor: []) == "10.0.0.5")
    }

    @Test("From an untrusted peer, or with no proxies listed, the header is ignored")
    func ignored() throws {
        #expect(proxies.client(peer: "198.51.100.1", forwardedFor: ["203.0.113.7"]) == "198.51.100.1")
        #expect(TrustedProxies.none.client(peer: "127.0.0.1", forwardedFor: ["203.0.113.7"]) == "127.0.0.1")
        #expect(try TrustedProxies(parsing: "").isEmpty)
    }

    @Test("An entry that is not an address or a block is refused, naming it", arguments: ["10.0.0.0/33", "::/129", "example.com", "10.0.0.1/x", "1.2.3"])
    func refused(entry: String) {
        #expect(throws: WharfError.self) { try TrustedProxies(parsing: "127.0.0.1,\(entry)") }
        do { _ = try TrustedProxies(parsing: entry) } catch { #expect("\(error)".contains(entry)) }
    }
}
