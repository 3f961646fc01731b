import Foundation
import Vapor

/// Tells every wallet the platform has that cards or a program changed, once the change has
/// committed: Apple Wallet devices get a push, Google Wallet objects a PATCH. Both run in the
/// background; the caller never waits for Apple or Google.
struct WalletUpdates: Sendable {
    let apple: WalletPushNotifier?
    let google: GoogleWalletSync?

    func cardsChanged(_ cardIDs: [UUID]) {
        apple?.cardsChanged(cardIDs)
        google?.cardsChanged(cardIDs)
    }

    /// A new card: Apple has no device for it yet, Google needs its object for the save link.
    func cardCreated(_ cardID: UUID) {
        google?.cardsChanged([cardID])
    }

    func programChanged(merchantID: UUID) {
        apple?.programChanged(merchantID: merchantID)
        google?.programChanged(merchantID: merchantID)
    }

    /// Waits for the work started so far: before a one-off command exits, and in tests.
    func waitUntilIdle() async {
        await apple?.waitUntilIdle()
        await google?.waitUntilIdle()
    }
}

extension Application {
    /// Both wallets' update paths; `nil` when the platform has neither wallet.
    var walletUpdates: WalletUpdates? {
        guard walletPushes != nil || googleWalletSync != nil else { return nil }
        return WalletUpdates(apple: walletPushes, google: googleWalletSync)
    }
}
