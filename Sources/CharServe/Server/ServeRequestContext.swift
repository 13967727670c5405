import Hummingbird

/// Hummingbird's per-request context, with the request's `RequestRecord` for its log line.
struct ServeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// What the endpoint noted for the log line.
    let record = RequestRecord()

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
    }
}
