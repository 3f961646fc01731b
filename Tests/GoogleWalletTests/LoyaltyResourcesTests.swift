import Foundation
import GoogleWallet
import Testing

@Suite struct LoyaltyResourcesTests {
    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder.googleWallet.encode(value), as: UTF8.self)
    }

    @Test func aBalanceHasExactlyOneKind() throws {
        #expect(try json(Balance.count(120)) == #"{"int":120}"#)
        #expect(try json(Balance.string("7/10")) == #"{"string":"7/10"}"#)
        // Google's int is an int32: a larger balance goes as text rather than being refused.
        #expect(try json(Balance.count(3_000_000_000)) == #"{"string":"3000000000"}"#)
    }

    @Test func theSameObjectAlwaysGivesTheSameBytes() throws {
        var object = LoyaltyObject(id: "1.card-a", classId: "1.loyalty-b", state: .active)
        object.loyaltyPoints = LoyaltyPoints(label: "Points", balance: .count(5))
        object.barcode = Barcode(value: "QR", alternateText: "1234")
        let first = try json(object)
        #expect(try json(object) == first)
        // Keys in sorted order: the first is "barcode", not "id" as declared.
        #expect(first.hasPrefix(#"{"barcode""#))
        #expect(first.contains(#""barcode":{"alternateText":"1234","type":"QR_CODE","value":"QR"}"#))
        // Absent optionals are not sent: a PATCH leaves what it does not name alone.
        #expect(!first.contains("null"))
    }
}
