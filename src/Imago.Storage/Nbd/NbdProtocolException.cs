namespace Imago.Storage.Nbd;

/// <summary>
/// The client broke the protocol in a way that leaves no reliable framing (bad magic, oversized option,
/// unknown client flags, unknown export via NBD_OPT_EXPORT_NAME): the server closes that connection only.
/// </summary>
public sealed class NbdProtocolException(string message) : Exception(message);
