import Foundation
import Testing

@testable import LoyaltyCore

@Suite struct FieldRulesTests {
    @Test(arguments: ["a@b.lu", "first.last+tag@example.co.uk"])
    func acceptsEmails(_ email: String) {
        #expect(FieldRules.email(email) == nil)
    }

    @Test(arguments: ["", "plain", "@b.lu", "a@b", "a@.lu", "a@b.", "a b@c.lu", "a@b@c.lu"])
    func refusesEmails(_ email: String) {
        #expect(FieldRules.email(email) != nil)
    }

    @Test(arguments: ["LUX", "LUMIERE-LUX", "store-01", String(repeating: "A", count: 32)])
    func acceptsStoreCodes(_ code: String) {
        #expect(FieldRules.storeCode(code) == nil)
    }

    @Test(arguments: ["AB", "-LUX", "LUX 1", "LUX_1", "Café", String(repeating: "A", count: 33)])
    func refusesStoreCodes(_ code: String) {
        #expect(FieldRules.storeCode(code) != nil)
    }

    @Test(arguments: ["Europe/Luxembourg", "America/New_York", "UTC"])
    func acceptsIANATimeZones(_ zone: String) {
        #expect(FieldRules.timeZone(zone) == nil)
    }

    @Test(arguments: ["Europe/Atlantis", "CET", "+01:00", "luxembourg"])
    func refusesOtherTimeZones(_ zone: String) {
        #expect(FieldRules.timeZone(zone) != nil)
    }

    @Test func passwordsNeedTenCharactersAndFitBcrypt() {
        #expect(FieldRules.password("short") != nil)
        #expect(FieldRules.password("ten chars!") == nil)
        #expect(FieldRules.password(String(repeating: "é", count: 37)) != nil)  // 74 bytes
    }

    @Test func phoneNumbersAreDigitsWithPunctuation() {
        #expect(FieldRules.phone("+352 621 123 456") == nil)
        #expect(FieldRules.phone("(0)6-21.12") == nil)
        #expect(FieldRules.phone("call me") != nil)
        #expect(FieldRules.phone("12345") != nil)
    }

    @Test func birthdaysAreRealPastDates() {
        let today = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18
        #expect(FieldRules.birthday("1990-02-28", today: today) == nil)
        #expect(FieldRules.birthday("2000-02-29", today: today) == nil)
        #expect(FieldRules.birthday("1990-02-29", today: today) != nil)
        #expect(FieldRules.birthday("1990-13-01", today: today) != nil)
        #expect(FieldRules.birthday("2030-01-01", today: today) != nil)
        #expect(FieldRules.birthday("18/11/1990", today: today) != nil)
    }

    @Test func namesMustNotBeBlank() {
        #expect(FieldRules.name("  ") != nil)
        #expect(FieldRules.name("Léa") == nil)
        #expect(FieldRules.name(String(repeating: "x", count: 201)) != nil)
    }
}
