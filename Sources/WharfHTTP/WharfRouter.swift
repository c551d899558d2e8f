import HTTPTypes
public import Hummingbird
public import WharfAccess
public import WharfImageAPI
public import WharfRegistry

/// Builds the router for every surface Wharf serves.
public enum WharfRouter {
    /// `/v2/` (OCI distribution), `/apis/image.openshift.io/v1/` (image API), RBAC, tokens, discovery, and the probes
    /// (`/livez`, `/readyz` as `readiness` finds the process, `/healthz`), behind authentication. Routes are all
    /// registered here, before the router is handed to the application. Every request is counted in `metrics`, which
    /// `/metrics` shows to the admin and to `system:monitoring`. With a `rateLimit`, each caller's requests beyond it
    /// are refused with 429. Requests from `trustedProxies` are attributed to the client their `X-Forwarded-For` names.
    public static func make(registry: Registry, api: ImageAPI, access: AccessControl, readiness: Readiness,
                            secure: Bool = false, metrics: WharfMetrics = WharfMetrics(),
                            rateLimit: RateLimiter? = nil, trustedProxies: TrustedProxies = .none) -> Router<WharfRequestContext> {
        let router = Router(context: WharfRequestContext.self)
        router.middlewares.add(MetricsMiddleware(metrics: metrics))
        router.middlewares.add(RequestIDMiddleware())
        if !trustedProxies.isEmpty { router.middlewares.add(ForwardedForMiddleware(proxies: trustedProxies)) }
        router.middlewares.add(AuthenticationMiddleware(access: access, scheme: secure ? "https" : "http", metrics: metrics))
        router.middlewares.add(AuditMiddleware())
        if let rateLimit { router.middlewares.add(RateLimitMiddleware(limiter: rateLimit)) }
        OCIRoutes(registry: registry, access: access).add(to: router)
        ImageAPIRoutes(api: api, access: access).add(to: router)
        AccessRoutes(access: access).add(to: router)
        TokenEndpoint.add(to: router, access: access)
        Discovery.add(to: router)
        Probes.add(to: router, readiness: readiness)
        MetricsRoute.add(to: router, metrics: metrics, access: access)
        return router
    }
}
