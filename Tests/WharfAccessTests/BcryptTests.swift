import Testing
@testable import WharfAccess

@Suite("bcrypt (HummingbirdBcrypt) verifies htpasswd hashes made by other implementations")
struct BcryptTests {
    /// Hashes made with the Python bcrypt package.
    static let cases: [(String, String)] = [
        ("secret", "$2b$04$7YSEjPC.j1dyN/iCwpbmGuCHO5Y5fbQhG6ShKpM8dWhsKbaG9CqVa"),
        ("", "$2b$04$VK9wv4Rm0UmdxDwhtG8rye8YCwXLYdWLYxj5h3edsvCbCFDH.ZgoC"),
        ("correct horse battery staple", "$2b$05$tAfh9DOMriKGiZxQjzLowumJ/6F3YCPBkR9vBKXEBPi3RZpGs47gC"),
        ("pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp", "$2b$04$Fj8qbAy5hPq6smDUcYS/xODUo0HVDE54MEZYO2rjEn5TrA3TAOnrq"),
        ("été", "$2b$04$Dfk1719AyYmlscT6jYy9u.578pXCnQ/YGUYQJx0AMI/fPBcD4OA5m"),
        ("secret", "$2a$04$Ta5B9OmOVCxAG1.o.ePk1OPhpxQ.Mq4yoht1UjIxhibLj6ab7ElEC"),
    ]

    @Test("Known hashes verify, and wrong passwords do not", arguments: cases)
    func known(_ password: String, _ hash: String) {
        #expect(PasswordHash.verifyHere(password, against: hash))
        #expect(!PasswordHash.verifyHere(password + "x", against: hash) || password.utf8.count >= 72)
    }

    @Test("Malformed hashes match nothing")
    func malformed() {
        #expect(!PasswordHash.verifyHere("secret", against: "$1$abc"))
        #expect(!PasswordHash.verifyHere("secret", against: "$2y$99$" + String(repeating: "a", count: 53)))
        #expect(!PasswordHash.verifyHere("secret", against: ""))
    }

    @Test("Apache's $2y$ hashes are $2b$ ones; a NUL byte in a password matches nothing; checks run off the caller's thread")
    func variants() async {
        let hash = "$2b$04$7YSEjPC.j1dyN/iCwpbmGuCHO5Y5fbQhG6ShKpM8dWhsKbaG9CqVa"
        #expect(PasswordHash.verifyHere("secret", against: "$2y$" + hash.dropFirst(4)))
        #expect(!PasswordHash.verifyHere("secret\u{0}more", against: hash))
        #expect(await PasswordHash.verify("secret", against: hash))
        #expect(!(await PasswordHash.verify("wrong", against: hash)))
    }
}
