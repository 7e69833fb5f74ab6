/// Where the `ssh` driver connects for a target: host, port and user, each checked so it
/// can only be what it says (never an ssh option, never a shell word).
struct SSHEndpoint: Equatable, Sendable {
    struct Refusal: Error, Equatable {
        let reason: String
    }

    let host: String
    let port: Int
    let user: String

    /// The target's `host` (else `address`), `port` and `user` attributes, with the settings' defaults.
    static func of(_ target: DeployTarget, settings: SSHDriver.Settings) -> Result<SSHEndpoint, Refusal> {
        guard let host = target.attributes["host"] ?? target.attributes["address"] else {
            return .failure(Refusal(reason: "the target \(target.ciKey) has no host or address attribute to connect to"))
        }
        guard isHost(host) else {
            return .failure(Refusal(reason: "the target's host must be a host name or IP address (letters, digits, '.', '-', ':')"))
        }
        let port = target.attributes["port"].map { Int($0) ?? 0 } ?? settings.port
        guard (1...65535).contains(port) else { return .failure(Refusal(reason: "the target's port must be 1 to 65535")) }
        let user = target.attributes["user"] ?? settings.user
        guard isUser(user) else { return .failure(Refusal(reason: "the target's user must be a plain user name (a-z, 0-9, '_', '-', '.')")) }
        return .success(SSHEndpoint(host: host, port: port, user: user))
    }

    func sshArguments(common: [String], command: String) -> [String] {
        common + ["-p", String(port), "-l", user, "--", host, command]
    }

    func scpArguments(common: [String], source: String, destination: String) -> [String] {
        let address = host.contains(":") ? "[\(host)]" : host
        return common + ["-q", "-P", String(port), "--", source, "\(user)@\(address):\(destination)"]
    }

    static func isHost(_ value: String) -> Bool {
        guard (1...253).contains(value.utf8.count), let first = value.utf8.first, first != UInt8(ascii: "-") else { return false }
        return value.utf8.allSatisfy { DeployAttemptRules.isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ":") }
    }

    static func isUser(_ value: String) -> Bool {
        guard (1...32).contains(value.utf8.count), let first = value.utf8.first, first != UInt8(ascii: "-") else { return false }
        return value.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
    }
}
