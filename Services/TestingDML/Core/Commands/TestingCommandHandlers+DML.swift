import Messaging

extension TestingCommandHandlers {
    func registerDML(into handlers: inout MessageHandlers) {}
}
