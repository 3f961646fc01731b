import Foundation
import Leaf
import LeafKit
import Vapor

extension Application {
    private struct CatalogKey: StorageKey { typealias Value = Catalog }
    private struct StaticAssetsKey: StorageKey { typealias Value = StaticAssets }

    /// The pages' words in every language, loaded at start-up.
    var catalog: Catalog {
        get {
            guard let catalog = storage[CatalogKey.self] else { preconditionFailure("configure(_:config:) has not run") }
            return catalog
        }
        set { storage[CatalogKey.self] = newValue }
    }

    var staticAssets: StaticAssets {
        get { storage[StaticAssetsKey.self] ?? StaticAssets(assets: [:]) }
        set { storage[StaticAssetsKey.self] = newValue }
    }

    /// Leaf renders the templates shipped in the app's resources (not the working directory's),
    /// with the `t` and `asset` tags; catalogs and static files are read once.
    func useWebPages() throws {
        catalog = try Catalog.bundled()
        staticAssets = try StaticAssets.bundled()
        guard let templates = Bundle.module.resourceURL?.appendingPathComponent("Views").path else {
            throw CatalogError.missingFile("Views")
        }
        leaf.configuration = LeafConfiguration(rootDirectory: templates + "/")
        leaf.sources = LeafSources.singleSource(
            // Not `.toVisibleFiles`: the resources live under `.build/` in a development checkout.
            NIOLeafFiles(
                fileio: fileio, limits: [.toSandbox, .requireExtensions, .onlyLeafExtensions], sandboxDirectory: templates + "/",
                viewDirectory: templates + "/"))
        leaf.tags["t"] = TranslateTag()
        leaf.tags["asset"] = AssetTag()
        views.use(.leaf)
    }
}

/// `#t("terminal.title")`, `#t("terminal.stamps_of", count, target)`: the catalog's text in the
/// page's language; arguments fill `{1}`, `{2}`…. Escaped like any other output.
private struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string, let request = ctx.request else {
            throw LeafError(.unknownError("#t(key, …) needs a key and a request"))
        }
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(request.application.catalog.text(key, in: request.language, Array(arguments)))
    }
}

/// `#asset("app.css")`: the fingerprinted address of a static file.
private struct AssetTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let path = ctx.parameters.first?.string, let application = ctx.application else {
            throw LeafError(.unknownError("#asset(path) needs a path"))
        }
        return .string(application.staticAssets.url(path))
    }
}
