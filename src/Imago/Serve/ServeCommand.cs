using Imago.Cli;

namespace Imago.Serve;

/// <summary><c>imago serve</c>: the ECS-compatible API, the NBD server and the background workers in one process.</summary>
public sealed class ServeCommand : ICommand
{
    public string Name => "serve";

    public string Summary => "run the ECS-compatible image service (--urls, --data, --db, --regions, --nbd, --instance-types)";

    public Task<int> RunAsync(IReadOnlyList<string> args, CommandConsole console, CancellationToken cancellationToken) =>
        throw new UsageException("imago serve is being built");
}
