import Foundation
import WalletTestSupport

@testable import App

extension AppConfig {
    /// Google Wallet on with a throwaway service account, an https public URL, and Google at a
    /// closed port: nothing leaves the machine, and every sync fails at once (the system tests
    /// talk to a stand-in that speaks Google's protocol).
    mutating func enableTestGoogleWallet(issuerID: String = "3388000000012345678") {
        wallet.googleIssuerID = issuerID
        wallet.googleServiceAccountJSONPath = try! TestServiceAccount.standard.writeKeyFile(tokenURI: "http://127.0.0.1:9/token")
        wallet.googleAPIBaseURL = "http://127.0.0.1:9/walletobjects/v1"
        publicBaseURL = "https://loyalty.example.test"
    }
}
