import BerthStore
import Hummingbird
import NIOCore

/// Each request's context: the peer's address (to slow down repeated auth failures) and the
/// token that authenticated it.
struct ServerContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    var token: TokenRecord?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        token = nil
    }

    /// Bodies above this are refused with 413 before they are read in full.
    var maxUploadSize: Int { 64 * 1024 }
}
