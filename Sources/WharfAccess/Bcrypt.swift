/// bcrypt password hashes (`$2a$`, `$2b$`, `$2y$`), as htpasswd files hold them.
enum Bcrypt {
    /// Whether `password` matches `hash`. Malformed hashes match nothing.
    static func verify(_ password: String, against hash: String) -> Bool {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, ["2a", "2b", "2y"].contains(parts[1]), let cost = Int(parts[2]), (4...31).contains(cost),
              parts[3].count == 53, let salt = decode(String(parts[3].prefix(22)), count: 16) else { return false }
        let computed = hashed(password, salt: salt, cost: cost)
        return computed.count == 31 && constantTimeEqual(Array(computed.utf8), Array(parts[3].dropFirst(22).utf8))
    }

    /// The 31-character hash part for `password` with a 16-byte `salt` and `cost` (2^cost rounds).
    static func hashed(_ password: String, salt: [UInt8], cost: Int) -> String {
        var key = Array(password.utf8.prefix(72))
        if key.count < 72 { key.append(0) }
        var state = Blowfish()
        state.expand(key: key, salt: salt)
        for _ in 0..<(1 << cost) {
            state.expand(key: key, salt: nil)
            state.expand(key: salt, salt: nil)
        }
        var words = Array("OrpheanBeholderScryDoubt".utf8)
        var text: [UInt32] = stride(from: 0, to: 24, by: 4).map { i in
            UInt32(words[i]) << 24 | UInt32(words[i + 1]) << 16 | UInt32(words[i + 2]) << 8 | UInt32(words[i + 3])
        }
        for _ in 0..<64 {
            for i in stride(from: 0, to: 6, by: 2) { (text[i], text[i + 1]) = state.encipher(text[i], text[i + 1]) }
        }
        words = text.flatMap { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xff), UInt8($0 >> 8 & 0xff), UInt8($0 & 0xff)] }
        return encode(Array(words.prefix(23)))
    }

    private static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// bcrypt's base64 (its own alphabet, no padding).
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let c1 = bytes[index]
            out.append(alphabet[Int(c1 >> 2)])
            var carry = (c1 & 0x03) << 4
            index += 1
            guard index < bytes.count else { out.append(alphabet[Int(carry)]); break }
            let c2 = bytes[index]
            out.append(alphabet[Int(carry | c2 >> 4)])
            carry = (c2 & 0x0f) << 2
            index += 1
            guard index < bytes.count else { out.append(alphabet[Int(carry)]); break }
            let c3 = bytes[index]
            out.append(alphabet[Int(carry | c3 >> 6)])
            out.append(alphabet[Int(c3 & 0x3f)])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String, count: Int) -> [UInt8]? {
        var values: [UInt8] = []
        for byte in text.utf8 {
            guard let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(value))
        }
        var out: [UInt8] = []
        var index = 0
        while out.count < count, index + 1 < values.count {
            out.append(values[index] << 2 | values[index + 1] >> 4)
            if out.count == count || index + 2 >= values.count { break }
            out.append(values[index + 1] << 4 | values[index + 2] >> 2)
            if out.count == count || index + 3 >= values.count { break }
            out.append(values[index + 2] << 6 | values[index + 3])
            index += 4
        }
        return out.count == count ? out : nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Blowfish with the expensive key schedule bcrypt uses.
struct Blowfish {
    var p = BlowfishConstants.p
    var s = BlowfishConstants.s

    @inline(__always)
    private func f(_ x: UInt32) -> UInt32 {
        let a = s[Int(x >> 24)], b = s[256 + Int(x >> 16 & 0xff)], c = s[512 + Int(x >> 8 & 0xff)], d = s[768 + Int(x & 0xff)]
        return ((a &+ b) ^ c) &+ d
    }

    func encipher(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        var l = left, r = right
        for i in 0..<16 {
            l ^= p[i]
            r ^= f(l)
            swap(&l, &r)
        }
        swap(&l, &r)
        r ^= p[16]
        l ^= p[17]
        return (l, r)
    }

    /// The next 32-bit word of `data`, cycling through it.
    private static func word(_ data: [UInt8], _ position: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            word = word << 8 | UInt32(data[position])
            position = (position + 1) % data.count
        }
        return word
    }

    /// ExpandKey(state, salt, key); without a salt, the plain key schedule step.
    mutating func expand(key: [UInt8], salt: [UInt8]?) {
        var keyPosition = 0, saltPosition = 0
        for i in 0..<18 { p[i] ^= Self.word(key, &keyPosition) }
        var l: UInt32 = 0, r: UInt32 = 0
        /// Encrypts the running block (mixed with the salt, if any) and returns it.
        func next() -> (UInt32, UInt32) {
            if let salt {
                l ^= Self.word(salt, &saltPosition)
                r ^= Self.word(salt, &saltPosition)
            }
            (l, r) = encipher(l, r)
            return (l, r)
        }
        for i in stride(from: 0, to: 18, by: 2) { (p[i], p[i + 1]) = next() }
        for i in stride(from: 0, to: 1024, by: 2) { (s[i], s[i + 1]) = next() }
    }
}
