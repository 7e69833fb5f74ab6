import BuildCore
import Foundation
import Images
import ServiceKit

/// shipboard-build: saves image specs and builds a release's software image when planning
/// sends `build.build_image`, from `build.commands`; the rest of its start-up is every
/// service's (`StandardService`).
@main
struct BuildService {
    static func main() async {
        await StandardService(
            name: "shipboard-build",
            summary: "image specs and deterministic software images",
            defaultHTTPPort: 8082, schema: "build", queue: "build.commands",
            variables: BuildSettings.documentation, readSettings: BuildSettings.init(reader:),
            migrationsDirectory: \.migrationsDirectory,
            handlers: { settings in
                // Both folders exist before the first build; a missing import root would
                // otherwise read as a missing file.
                for folder in [settings.importRoot, settings.imageStore] {
                    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                }
                // What a build killed mid-way left (its command is redelivered and built again).
                // An hour old at least: another replica sharing the store may be writing one now.
                _ = (try? DirectoryImageStore(root: settings.imageStore))?.sweepPartials(olderThan: .seconds(3600))
                return BuildCommandHandlers(
                    importRoot: settings.importRoot, store: settings.imageStore, sizeLimit: settings.sizeLimit
                ).handlers()
            }
        ).run()
    }
}
