import Foundation
@testable import GoogleWallet
import Testing
import WalletTestSupport

@Suite struct ServiceAccountKeyTests {
    let account = TestServiceAccount.standard

    @Test func readsGooglesKeyFile() throws {
        let key = try ServiceAccountKey(json: try account.keyFileJSON(tokenURI: "https://oauth2.googleapis.com/token"))
        #expect(key.clientEmail == account.clientEmail)
        #expect(key.privateKeyID == account.privateKeyID)
        #expect(key.tokenURI.absoluteString == "https://oauth2.googleapis.com/token")
    }

    @Test(arguments: ["client_email", "private_key", "private_key_id", "token_uri"])
    func namesAMissingField(field: String) throws {
        let data = try account.keyFileJSON(tokenURI: "https://oauth2.googleapis.com/token", overriding: [field: nil])
        #expect(throws: ServiceAccountKeyError("it has no \(field)")) { try ServiceAccountKey(json: data) }
    }

    @Test func refusesWhatIsNotAKeyFile() throws {
        #expect(throws: ServiceAccountKeyError("the file is not a service account's JSON key (not a JSON object)")) {
            try ServiceAccountKey(json: Data("not json".utf8))
        }
        let user = try account.keyFileJSON(tokenURI: "https://oauth2.googleapis.com/token", overriding: ["type": "authorized_user"])
        #expect(throws: ServiceAccountKeyError("its type is \"authorized_user\", not \"service_account\"")) { try ServiceAccountKey(json: user) }
    }

    @Test func refusesABrokenKeyWithoutQuotingIt() throws {
        let broken = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-BYTES\n-----END PRIVATE KEY-----\n"
        let data = try account.keyFileJSON(tokenURI: "https://oauth2.googleapis.com/token", overriding: ["private_key": broken])
        do {
            _ = try ServiceAccountKey(json: data)
            Issue.record("a broken key loaded")
        } catch {
            #expect(error.description == "its private_key is not an RSA private key of at least 2048 bits in PEM")
            #expect(!error.description.contains("TOP-SECRET"))
        }
    }

    @Test func tokensTravelOnlyOverHTTPSOrToThisMachine() throws {
        for uri in ["http://oauth2.googleapis.com/token", "ftp://127.0.0.1/token", "token"] {
            #expect(throws: ServiceAccountKeyError.self) { try ServiceAccountKey(json: try account.keyFileJSON(tokenURI: uri)) }
        }
        for uri in ["http://127.0.0.1:8999/token", "http://localhost/token", "https://oauth2.googleapis.com/token"] {
            _ = try ServiceAccountKey(json: try account.keyFileJSON(tokenURI: uri))
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: ServiceAccountKeyError("no file at /nonexistent/key.json")) { try ServiceAccountKey(contentsOf: "/nonexistent/key.json") }
    }
}
