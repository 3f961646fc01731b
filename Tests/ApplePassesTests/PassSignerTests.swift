import ApplePasses
import Foundation
import Testing
import WalletTestSupport

@Suite("Loading the pass-signing identity")
struct PassSignerTests {
    let pki = TestPassPKI.standard

    func load(passType: String? = nil, team: String? = nil, key: String? = nil, certificate: String? = nil) throws -> PassSigner {
        try PassSigner(
            passTypeIdentifier: passType ?? pki.passTypeIdentifier, teamIdentifier: team ?? pki.teamIdentifier,
            certificatePEM: try certificate ?? pki.pem(pki.signerCertificatePath), privateKeyPEM: try key ?? pki.pem(pki.signerKeyPath),
            intermediatePEM: try pki.pem(pki.wwdrPath))
    }

    @Test func readsTheCertificateSubjectApplePuts() throws {
        let signer = try load()
        let subject = signer.subject
        #expect(subject.userID == "pass.test.loyalty")
        #expect(subject.organizationalUnit == "TEST123456")
        #expect(subject.commonName == "Pass Type ID: pass.test.loyalty")
    }

    @Test func refusesAPassTypeOrTeamTheCertificateIsNotFor() throws {
        #expect(throws: PassSigner.LoadError.identifierMismatch(certificate: "pass.test.loyalty", configured: "pass.other")) {
            try load(passType: "pass.other")
        }
        #expect(throws: PassSigner.LoadError.teamMismatch(certificate: "TEST123456", configured: "ZZZ")) { try load(team: "ZZZ") }
    }

    @Test func refusesAKeyOfAnotherCertificate() throws {
        let otherKey = try TestPassPKI.other.pem(TestPassPKI.other.signerKeyPath)
        #expect(throws: PassSigner.LoadError.keyDoesNotMatchCertificate) { try load(key: otherKey) }
    }

    @Test func explainsThatAnEncryptedKeyMustBeStoredDecrypted() throws {
        let encrypted = try OpenSSL.run([
            "openssl", "pkcs8", "-topk8", "-in", pki.signerKeyPath, "-v2", "aes-256-cbc", "-passout", "pass:secret",
        ])
        #expect(throws: PassSigner.LoadError.encryptedKey) { try load(key: encrypted) }
    }

    @Test func saysWhichFileIsNotAPEMDocument() throws {
        #expect(throws: PassSigner.LoadError.self) { try load(certificate: "not a certificate") }
        do {
            _ = try load(certificate: "not a certificate")
        } catch {
            #expect(String(describing: error).hasPrefix("The signer certificate could not be read"))
        }
    }
}
