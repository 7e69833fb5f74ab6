/// The PostgreSQL schema shipboard-planning owns (ARCHITECTURE.md, "State").
public enum PlanningSchema {
    public static let name = "planning"
}
