import Foundation
import GatewayCore
import Testing

@Suite("Authentication cache: at most its lifetime, never past the token's expiry, cleared on revocation")
struct AuthenticationCacheTests {
    let user = GatewayUser(id: UUID(), name: "vera", roles: [.viewer], disabled: false)

    @Test("an entry lives for the shorter of the lifetime and the token's remaining validity")
    func lifetime() async {
        let cache = AuthenticationCache(lifetime: .seconds(1))
        let now = ContinuousClock.now
        await cache.store(user, for: "a", expiresIn: .seconds(60), now: now)
        await cache.store(user, for: "b", expiresIn: .milliseconds(200), now: now)
        #expect(await cache.user(for: "a", now: now + .milliseconds(900)) == user)
        #expect(await cache.user(for: "a", now: now + .milliseconds(1001)) == nil)
        #expect(await cache.user(for: "b", now: now + .milliseconds(100)) == user)
        #expect(await cache.user(for: "b", now: now + .milliseconds(201)) == nil, "never past the token's expiry")
        await cache.store(user, for: "c", expiresIn: .seconds(60), now: now)
        await cache.clear()
        #expect(await cache.user(for: "c", now: now) == nil)
    }
}
