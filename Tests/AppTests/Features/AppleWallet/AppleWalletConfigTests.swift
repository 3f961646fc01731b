import Foundation
import Testing
import WalletTestSupport

@testable import App

@Suite struct AppleWalletConfigTests {
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID())").path

    @Test func halfAnAppleSetupStopsStartUpNamingWhatIsMissing() {
        #expect {
            try AppConfig.load(from: ["LOYALTY_APPLE_PASS_TYPE_ID": "pass.x", "LOYALTY_APPLE_TEAM_ID": "T"], isProduction: false, dataDirectory: dataDirectory)
        } throws: { error in
            let text = (error as? ConfigError)?.description ?? ""
            return text.contains("LOYALTY_APPLE_WWDR_CERT_PATH") && text.contains("LOYALTY_APPLE_SIGNER_KEY_PATH")
                && !text.contains("LOYALTY_APPLE_TEAM_ID")
        }
    }

    @Test(arguments: ["ftp://loyalty.example", "https://loyalty.example/", "loyalty.example", "https://x.example?a=1"])
    func thePublicURLMustBeAnHTTPURLWithoutTrailingSlash(url: String) {
        #expect {
            try AppConfig.load(from: ["LOYALTY_PUBLIC_BASE_URL": url], isProduction: false, dataDirectory: dataDirectory)
        } throws: { error in
            (error as? ConfigError)?.description.contains("LOYALTY_PUBLIC_BASE_URL") == true
        }
    }

    @Test func aCertificateForAnotherPassTypeStopsStartUp() throws {
        var config = AppConfig(database: .sqlite(.init(path: "\(dataDirectory)/x.sqlite")), secretKey: String(repeating: "k", count: 64))
        config.enableTestAppleWallet()
        config.wallet.applePassTypeID = "pass.somebody.else"
        #expect {
            try AppleWalletIssuer.load(config)
        } throws: { error in
            (error as? ConfigError)?.description.contains("pass.somebody.else") == true
        }
        config.enableTestAppleWallet()
        config.wallet.appleSignerKeyPath = "/nonexistent/signer.key"
        #expect {
            try AppleWalletIssuer.load(config)
        } throws: { error in
            (error as? ConfigError)?.description.contains("LOYALTY_APPLE_SIGNER_KEY_PATH") == true
        }
        config.enableTestAppleWallet()
        #expect(try AppleWalletIssuer.load(config)?.webServiceURL == "https://loyalty.example.test/api/v1/loyalty/apple")
    }
}
