import Messaging

extension TestingCommandHandlers {
    func registerRuns(into handlers: inout MessageHandlers) {}
}
