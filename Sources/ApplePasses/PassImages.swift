import Foundation

/// The images every pass carries: Wallet will not open a pass without `icon.png`, which it
/// shows in notifications and on the lock screen. @2x and @3x serve Retina screens.
public enum PassImages {
    /// `icon.png`, `icon@2x.png`, `icon@3x.png`, drawn by scripts/make-pass-icons.py.
    public static let standard: [String: Data] = {
        var images: [String: Data] = [:]
        for name in ["icon", "icon@2x", "icon@3x"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "png", subdirectory: "Resources"),
                let data = try? Data(contentsOf: url)
            else { preconditionFailure("The ApplePasses bundle lacks \(name).png") }
            images["\(name).png"] = data
        }
        return images
    }()
}
