import Messaging

extension TestingCommandHandlers {
    func registerAcceptance(into handlers: inout MessageHandlers) {}
}
