import ApplePasses
import Foundation
import Testing
import WalletTestSupport

@Suite("A signed .pkpass, checked with openssl")
struct PassPackageTests {
    let pki = TestPassPKI.standard

    func signer(_ pki: TestPassPKI = .standard) throws -> PassSigner {
        try PassSigner(
            passTypeIdentifier: pki.passTypeIdentifier, teamIdentifier: pki.teamIdentifier,
            certificatePEM: try pki.pem(pki.signerCertificatePath), privateKeyPEM: try pki.pem(pki.signerKeyPath),
            intermediatePEM: try pki.pem(pki.wwdrPath))
    }

    func samplePass() -> PassJSON {
        var fields = PassJSON.Fields()
        fields.primaryFields = [.init(key: "stamps", label: "stamps_label", value: .text("7 / 10"), changeMessage: "Stamps: %@")]
        fields.headerFields = [.init(key: "points", label: "points_label", value: .number(120))]
        return PassJSON(
            passTypeIdentifier: pki.passTypeIdentifier, serialNumber: "serial-1", teamIdentifier: pki.teamIdentifier,
            organizationName: "Café Ünïcode", description: "Loyalty card",
            barcodes: [.init(qrMessage: "QR-TOKEN", altText: "1234 5678")], storeCard: fields)
    }

    func package(images: [String: Data] = PassImages.standard) throws -> PassPackage {
        try PassPackage(
            pass: samplePass(), images: images,
            strings: [PassStrings(language: "en", entries: ["stamps_label": "Stamps"]), PassStrings(language: "fr", entries: ["stamps_label": "Tampons"])])
    }

    @Test func theManifestListsTheSHA1OfEveryFileAndNothingElse() throws {
        let files = try OpenSSL.unzip(try package().archive(signedBy: try signer(), at: Date()))
        #expect(Set(files.keys) == [
            "pass.json", "icon.png", "icon@2x.png", "icon@3x.png", "en.lproj/pass.strings", "fr.lproj/pass.strings",
            "manifest.json", "signature",
        ])
        let manifest = try #require(try JSONSerialization.jsonObject(with: files["manifest.json"]!) as? [String: String])
        #expect(Set(manifest.keys) == Set(files.keys).subtracting(["manifest.json", "signature"]))
        for (path, hash) in manifest {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
            try files[path]!.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let digest = try OpenSSL.run(["openssl", "dgst", "-sha1", "-r", file.path]).split(separator: " ").first
            #expect(digest.map(String.init) == hash, "\(path)")
        }
    }

    @Test func passJSONIsUTF8WithoutABOMAndFormatVersionIsTheNumberOne() throws {
        let files = try OpenSSL.unzip(try package().archive(signedBy: try signer(), at: Date()))
        let passJSON = try #require(files["pass.json"])
        #expect(Array(passJSON.prefix(1)) == [UInt8(ascii: "{")])
        let object = try #require(try JSONSerialization.jsonObject(with: passJSON) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 1)
        #expect(object["organizationName"] as? String == "Café Ünïcode")
        let storeCard = try #require(object["storeCard"] as? [String: Any])
        #expect(Set(storeCard.keys) == ["headerFields", "primaryFields"], "empty field groups are left out")
        #expect(Array(files["fr.lproj/pass.strings"]!.prefix(2)) == [0xFF, 0xFE])
    }

    @Test func opensslVerifiesTheDetachedSignatureAndFindsTheSigningTime() throws {
        let files = try OpenSSL.unzip(try package().archive(signedBy: try signer(), at: Date()))
        let printed = try OpenSSL.verifyPassSignature(files, rootPath: pki.rootPath)
        #expect(printed.contains("signingTime"))
        #expect(printed.contains("messageDigest"))
        // The WWDR intermediate travels in the signature: the root alone is enough to verify.
        #expect(printed.contains("Worldwide Developer Relations"))
    }

    @Test func aChangedManifestNoLongerVerifies() throws {
        var files = try OpenSSL.unzip(try package().archive(signedBy: try signer(), at: Date()))
        files["manifest.json"]!.append(contentsOf: Array(" ".utf8))
        #expect(throws: OpenSSL.Failure.self) { try OpenSSL.verifyPassSignature(files, rootPath: pki.rootPath) }
    }

    @Test func aPassSignedByAnotherPKIDoesNotVerifyAgainstThisRoot() throws {
        let files = try OpenSSL.unzip(try package().archive(signedBy: try signer(.other), at: Date()))
        #expect(throws: OpenSSL.Failure.self) { try OpenSSL.verifyPassSignature(files, rootPath: pki.rootPath) }
        _ = try OpenSSL.verifyPassSignature(files, rootPath: TestPassPKI.other.rootPath)
    }

    @Test func aPassWithoutAnIconIsRefused() throws {
        #expect(throws: PassPackage.PackageError.missingIcon) {
            try package(images: [:]).archive(signedBy: try signer(), at: Date())
        }
    }
}
