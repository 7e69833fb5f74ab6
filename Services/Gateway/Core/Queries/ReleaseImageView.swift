import Foundation

/// A release's image as the gateway shows it: the saved spec (absent until one is saved)
/// and its builds, newest first. The JSON shape is the API's `ReleaseImage`.
public struct ReleaseImageView: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var from: String
        public var executable: Bool
    }

    public struct Spec: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var targetClasses: [String]
        public var revision: Int
        public var savedBy: String
        public var savedAt: Date
        public var files: [File]
    }

    public struct Build: Codable, Sendable, Equatable {
        public var id: Int64
        public var taskKey: String
        public var specRevision: Int?
        /// `built` or `failed`.
        public var outcome: String
        public var sha256: String?
        public var size: Int64?
        public var fileCount: Int?
        public var reason: String?
        public var requestedBy: String
        public var finishedAt: Date
    }

    public var releaseKey: String
    public var spec: Spec?
    public var builds: [Build]
}
