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
    ///
    /// Like the router, a literal segment wins over a parameter: `/cards/enroll` answers POST
    /// only, although `GET /cards/:card_id` would also fit it.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/").map(String.init)
        let matching = routes.filter { Self.matches($0.path, segments) }
        let literals = { (route: (path: [PathComponent], method: String)) in
            route.path.filter { if case .constant = $0 { true } else { false } }.count
        }
        guard let mostSpecific = matching.map(literals).max() else { return [] }
        return Set(matching.filter { literals($0) == mostSpecific }.map(\.method)).sorted()
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

extension Parameters {
    /// The UUID in path parameter `name`. A segment that is no UUID means the request matched
    /// this route by accident (`GET /cards/enroll` fits `GET /cards/:card_id`): it is answered
    /// as an unmatched route, so the error middleware can say 405 with the methods the path
    /// really has, or 404.
    func uuid(_ name: String) throws -> UUID {
        guard let id = get(name, as: UUID.self) else { throw UnmatchedRoute() }
        return id
    }
}

/// A request that reached a handler without really matching its route; answered like
/// Vapor's `RouteNotFound`.
struct UnmatchedRoute: Error {}
