/// What a user may do in Shipboard, by job (issue 10): each route names the roles it allows.
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    case admin
    case releaseManager = "release_manager"
    case approver
    case buildEngineer = "build_engineer"
    case tester
    case rolloutOperator = "rollout_operator"
    case viewer

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
