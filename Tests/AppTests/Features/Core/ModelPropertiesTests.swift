import Fluent
import Testing

@testable import App

/// The models whose `properties` are listed by hand (decision 0045) list exactly what
/// reflection finds, in the same order: a property added to a model and forgotten in its list
/// would silently never be read or written.
@Suite struct ModelPropertiesTests {
    static let listedByHand: [any Fields.Type] = [
        CardModel.self, ProgramModel.self, RewardModel.self, StoreModel.self, StaffPinModel.self, TransactionModel.self,
        MerchantSettingsModel.self,
    ]

    @Test(arguments: listedByHand.map { ($0, "\($0)") })
    func theListIsWhatReflectionFinds(model: any Fields.Type, name: String) {
        let instance = model.init()
        let reflected = Mirror(reflecting: instance).children.compactMap { $0.value as? any AnyProperty }
        #expect(!reflected.isEmpty, "\(name)")
        // Readable first (the column names), then the very same property objects.
        #expect(Self.names(instance.properties) == Self.names(reflected), "\(name)")
        #expect(instance.properties.map { ObjectIdentifier($0 as AnyObject) } == reflected.map { ObjectIdentifier($0 as AnyObject) }, "\(name)")
    }

    /// A property's database keys, or its type for one without (`@Children`).
    static func names(_ properties: [any AnyProperty]) -> [String] {
        properties.map { property in
            (property as? any AnyDatabaseProperty).map { $0.keys.map(\.description).joined(separator: "+") } ?? "\(type(of: property))"
        }
    }
}
