import Foundation
import GoogleWallet
import LoyaltyCore
import Testing
import WalletTestSupport

/// The JWTs are checked by openssl, which knows nothing of jwt-kit: the signature over
/// `header.claims` verifies with the service account's public key as RS256 (PKCS#1 v1.5, SHA-256).
@Suite struct GoogleJWTsTests {
    let account = TestServiceAccount.standard

    private func jwts(tokenURI: String = "https://oauth2.googleapis.com/token") async throws -> GoogleJWTs {
        await GoogleJWTs(key: try ServiceAccountKey(json: try account.keyFileJSON(tokenURI: tokenURI)))
    }

    @Test func theTokenAssertionIsWhatGoogleAsks() async throws {
        let now = Date(timeIntervalSince1970: 1_764_567_890.75)
        let jwt = try await jwts().tokenAssertion(at: now)
        let (header, claims) = try verify(jwt)
        #expect(header["alg"] as? String == "RS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == account.privateKeyID)
        #expect(claims["iss"] as? String == account.clientEmail)
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/wallet_object.issuer")
        #expect(claims["aud"] as? String == "https://oauth2.googleapis.com/token")
        // Whole seconds, as integers: never 1764567890.75.
        #expect(claims["iat"] as? Int == 1_764_567_890)
        #expect(claims["exp"] as? Int == 1_764_567_890 + 3600)
        let raw = try rawClaims(jwt)
        #expect(raw.contains("\"iat\":1764567890,") || raw.contains("\"iat\":1764567890}"), "\(raw)")
    }

    @Test func theSaveLinkIsShortSignedAndNamesTheObject() async throws {
        let reference = GoogleJWTs.ObjectReference(
            id: "3388000000012345678.card-\(UUID().uuidString.lowercased())",
            classId: "3388000000012345678.loyalty-\(UUID().uuidString.lowercased())")
        let link = try await jwts().saveLink(objects: [reference], origins: ["https://loyalty.example.com"], at: Date())
        #expect(link.hasPrefix("https://pay.google.com/gp/v/save/"))
        #expect(link.count <= 1_800, "\(link.count) characters")
        let (header, claims) = try verify(String(link.dropFirst("https://pay.google.com/gp/v/save/".count)))
        #expect(header["kid"] as? String == account.privateKeyID)
        #expect(claims["aud"] as? String == "google")
        #expect(claims["typ"] as? String == "savetowallet")
        #expect(claims["origins"] as? [String] == ["https://loyalty.example.com"])
        #expect(claims["iat"] is Int)
        let objects = (claims["payload"] as? [String: Any])?["loyaltyObjects"] as? [[String: String]]
        #expect(objects == [["id": reference.id, "classId": reference.classId]])
    }

    /// Checks the signature with openssl and answers the decoded header and claims.
    private func verify(_ jwt: String) throws -> ([String: Any], [String: Any]) {
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let signed = directory.appendingPathComponent("signed")
        let signature = directory.appendingPathComponent("signature")
        try Data("\(parts[0]).\(parts[1])".utf8).write(to: signed)
        try base64URLDecoded(parts[2]).write(to: signature)
        let answer = try OpenSSL.run(["openssl", "dgst", "-sha256", "-verify", account.publicKeyPath, "-signature", signature.path, signed.path])
        #expect(answer.contains("Verified OK"))
        let header = try JSONSerialization.jsonObject(with: base64URLDecoded(parts[0])) as? [String: Any] ?? [:]
        let claims = try JSONSerialization.jsonObject(with: base64URLDecoded(parts[1])) as? [String: Any] ?? [:]
        return (header, claims)
    }

    private func rawClaims(_ jwt: String) throws -> String {
        String(decoding: try base64URLDecoded(String(jwt.split(separator: ".")[1])), as: UTF8.self)
    }

    private func base64URLDecoded(_ text: String) throws -> Data {
        try #require(Data(base64URLEncoded: text))
    }
}
