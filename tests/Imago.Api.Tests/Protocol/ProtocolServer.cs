using System.Net;
using Imago.Api.Hosting;
using Imago.Api.Rpc;
using Imago.Api.Tests.Infrastructure;
using Imago.Core.Accounts;
using Imago.Core.Compute;
using Imago.Core.Regions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Imago.Api.Tests.Protocol;

/// <summary>
/// The protocol pipeline (MapImago) on Kestrel at 127.0.0.1:0 with in-memory keys, the region handlers and the
/// test handlers; no database, no block store. The pipeline's own behaviour (handler failures, merging, XML of
/// arbitrary shapes, captured logs) needs handlers and a logger the real service does not have; what the real
/// service must do end to end is in <see cref="ServeProtocolTests"/> on <see cref="ImagoServer"/>.
/// </summary>
public sealed class ProtocolServer : IAsyncLifetime
{
    public const long AccountId = 1234567890123456;

    private WebApplication? _app;

    public InMemoryCredentialStore Credentials { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public HttpClient Http { get; private set; } = null!;

    public AccessKeyCredential Key { get; private set; } = null!;

    public EcsClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Key = Credentials.Add(AccountId);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ICredentialStore>(Credentials);
        builder.Services.AddSingleton(new RegionCatalog(RegionCatalog.DefaultRegionIds));
        builder.Services.AddSingleton(new InstanceTypeCatalog());
        builder.Services.AddImagoProtocol().AddImagoRegions();
        builder.Services.AddSingleton<IEcsActionHandler, EchoHandler>();
        builder.Services.AddSingleton<IEcsActionHandler, FailingHandler>();
        builder.Services.AddSingleton<IEcsActionHandler, ConflictHandler>();
        builder.Services.AddSingleton<IEcsActionHandler, CodeInBodyHandler>();
        builder.Services.AddSingleton<IEcsActionHandler, LoggingHandler>();
        _app = builder.Build();
        _app.MapImago();
        await _app.StartAsync();

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address) };
        Client = new EcsClient(Http, Key.AccessKeyId, Key.Secret);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
