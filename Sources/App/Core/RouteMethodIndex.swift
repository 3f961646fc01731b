import Fluent
import Foundation
import Vapor

/// Which methods each registered path answers, so a request with another method gets
/// `405 Method Not Allowed` and an `Allow` header instead of a 404 that says the path does not
/// exist.
struct RouteMethodIndex: Sendable {
    private let routes: [(path: [PathComponent], method: String)]

    init(_ routes: Routes) {
        self.routes = routes.all.map { ($0.path, $0.method.rawValue) }
    }

    /// The methods registered for `path`, sorted; empty when no route has this path.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/").map(String.init)
        return Set(routes.filter { Self.matches($0.path, segments) }.map(\.method)).sorted()
    }

    private static func matches(_ pattern: [PathComponent], _ segments: [String]) -> Bool {
        guard pattern.count == segments.count else { return pattern.last == .catchall && segments.count >= pattern.count - 1 }
        return zip(pattern, segments).allSatisfy { component, segment in
            switch component {
            case .constant(let text): text == segment
            case .parameter, .anything, .catchall: true
            }
        }
    }
}

extension Application {
    private struct RouteMethodIndexKey: StorageKey { typealias Value = RouteMethodIndex }

    /// Built once after every route is registered.
    var routeMethodIndex: RouteMethodIndex? {
        get { storage[RouteMethodIndexKey.self] }
        set { storage[RouteMethodIndexKey.self] = newValue }
    }
}
