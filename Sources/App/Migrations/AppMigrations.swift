import Fluent
import FluentKit
import Foundation
import Vapor

/// The one ordered, append-only list of schema changes. Never edit or reorder a shipped
/// migration: add a new one at the end.
enum AppMigrations {
    static let all: [any Migration] = [
        // 001: tenancy, customers, accounts (2026-11-22)
        TenancyMigrations.CreateMerchants(),
        TenancyMigrations.CreateStores(),
        TenancyMigrations.CreateUsers(),
        CustomerMigrations.CreateCustomers(),
        AuthMigrations.CreateAccessTokens(),
        AuthMigrations.CreateRateLimitCounters(),
        // 002: programs, cards, the ledger, staff PINs (2026-11-22)
        LedgerMigrations.CreatePrograms(),
        LedgerMigrations.CreateCards(),
        LedgerMigrations.CreateTransactions(),
        LedgerMigrations.CreateStaffPins(),
        LedgerMigrations.CreateIdempotencyKeys(),
        LedgerMigrations.CreateDailyStats(),
        // 003: the platform admin's per-merchant settings (2026-11-22)
        SettingsMigrations.CreateMerchantLoyaltySettings(),
        // 004: private card links for enrollment without an account (2026-11-22)
        StorefrontMigrations.UpdateCardsAddLinkTokenHash(),
        // 005: Apple Wallet passes, device registrations, Wallet's log (2026-11-22)
        AppleWalletMigrations.UpdateCardsAddApplePassIdentity(),
        AppleWalletMigrations.CreateDeviceRegistrations(),
        AppleWalletMigrations.CreateWalletLog(),
        // 006: scheduled job runs, one per job and slot (2026-11-22)
        JobMigrations.CreateJobRuns(),
        // 007: expired points in the daily statistics (2026-11-30)
        DailyStatsMigrations.UpdateDailyStatsAddPointsExpired(),
        // 007: blocked and reissued cards, one live card per customer (2026-11-30)
        CardLifecycleMigrations.UpdateCardsAddBlockingAndReissue(),
        // 007: which customer e-mails staff entered (only those match at the counter) (2026-11-30)
        CustomerMigrations.UpdateCustomersAddEmailFromStaff(),
        // 007: erased customers (2026-11-30)
        CustomerMigrations.UpdateCustomersAddErasedAt(),
        // 007: Apple pass downloads by authentication token (2026-11-30)
        AppleWalletMigrations.CreateAuthTokenIndex(),
        // 007: counter safety: PIN failures per terminal, the cashiers' void window,
        // idempotency keys per store (2026-11-30)
        PinAttemptMigrations.CreatePinTerminalFailures(),
        SettingsMigrations.UpdateMerchantLoyaltySettingsAddStoreVoidWindow(),
        IdempotencyMigrations.UpdateIdempotencyKeysScopeToStore(),
        // 007: where each session was opened (address, user agent) (2026-11-30)
        AuthMigrations.UpdateAccessTokensAddSessionOrigin(),
        // 008: page sessions (cookies) beside bearer tokens; staff accounts' language (2026-12-01)
        AuthMigrations.UpdateAccessTokensAddWebSessions(),
        TenancyMigrations.UpdateUsersAddLanguage(),
        // 009: what Google Wallet holds of each class and object (2026-12-01)
        GoogleWalletMigrations.CreateGoogleObjects(),
        GoogleWalletMigrations.CreateGoogleClasses(),
        // 010: analytics rollups (with a backfill from the ledger), reward costs, fraud
        // thresholds (2026-12-01)
        AnalyticsMigrations.UpdateProgramsAddRewardCosts(),
        AnalyticsMigrations.UpdateMerchantLoyaltySettingsAddFraudThresholds(),
        AnalyticsMigrations.CreateAnalyticsRollups(),
        // 011: cards by balance, to count the cards a program change touches (2026-12-01)
        ProgramImpactMigrations.CreateCardBalanceIndexes(),
        // 012: the ledger by staff PIN and by account, in time order (2026-12-01)
        LedgerMigrations.CreateStaffTimeIndexes(),
        // 013: card and ledger-row counts per merchant for the lists' totals; the card list's,
        // the customer search's and the filtered ledger's indexes (2026-12-02)
        ListTotalsMigrations.UpdateBalanceTotalsAddListTotals(),
        CardListMigrations.CreateCardListIndexes(),
        CardListMigrations.CreateCustomerSearchIndexes(),
        LedgerMigrations.ReplaceMerchantTimeIndexWithCovering(),
        // 014: cards per day of last activity, for the count of active cards (2026-12-02)
        ActiveCardsMigrations.UpdatePointsByActivityDayAddCards(),
        // 015: closed days summed per merchant, for the reports' series (2026-12-02)
        MerchantDaysMigrations.CreateMerchantDailyStats(),
        // 016: signal events by day, for every merchant's signals (2026-12-02)
        SignalEventsMigrations.CreateDayIndex(),
        // 017: cards by merchant and customer, for a search's count (2026-12-02)
        CardSearchCountMigrations.CreateMerchantCustomerIndex(),
        // 018: cards by merchant and number, customers by phone digits: a search by number (2026-12-02)
        NumberSearchMigrations.CreateNumberSearchIndexes(),
        // 019: signal events' indexes cover a report's grouping (2026-12-02)
        SignalEventsMigrations.ReplaceIndexesWithCovering(),
        // 020: compacted days summed across merchants; the staff rollup's index covers a
        // report's sums (2026-12-02)
        MerchantDaysMigrations.CreatePlatformDailyStats(),
        StaffRollupMigrations.ReplaceStaffIndexWithCovering(),
        // 021: accounts whose password the server drew choose their own (2026-12-03)
        TenancyMigrations.UpdateUsersAddPasswordChangeRequired(),
        // 022: each merchant's compacted days as running totals: the platform's table of
        // merchants reads two rows a merchant for any range (2026-12-03)
        MerchantRunningTotalsMigrations.CreateMerchantRunningTotals(),
    ]
}
