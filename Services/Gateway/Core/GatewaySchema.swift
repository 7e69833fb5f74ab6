/// The PostgreSQL schema shipboard-gateway owns (migration 0011).
public enum GatewaySchema {
    public static let name = "gateway"
}
