using System.Net;
using Imago.Api.Hosting;
using Imago.WebConsole.Hosting;
using Imago.Core;
using Imago.Core.Accounts;
using Imago.Core.Billing;
using Imago.Core.Compute;
using Imago.Core.Compute.Nbd;
using Imago.Core.Regions;
using Imago.Core.Storage;
using Imago.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imago.Serve;

/// <summary>
/// A running service: the data-directory lock, the database, the region block stores and the web application
/// on Kestrel. <c>imago serve</c> and the API tests' fixture start it the same way, through <see cref="StartAsync"/>.
/// Disposing stops the application and releases everything in reverse order.
/// </summary>
public sealed class ImagoHost : IAsyncDisposable
{
    private readonly DataDirectoryLock _lock;
    private readonly RegionStores _stores;
    private readonly WebApplication _app;

    private ImagoHost(ServeSettings settings, DataDirectoryLock dataLock, ImagoDatabase database, RegionStores stores, WebApplication app, IReadOnlyList<Uri> addresses)
    {
        Settings = settings;
        _lock = dataLock;
        Database = database;
        _stores = stores;
        _app = app;
        Addresses = addresses;
    }

    public ServeSettings Settings { get; }

    public ImagoDatabase Database { get; }

    /// <summary>The addresses Kestrel listens on as it reports them, with the real ports (port 0 resolved).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Where instance disks are served over NBD, with the real port (port 0 resolved); null when off.</summary>
    public IPEndPoint? NbdEndpoint => _app.Services.GetService<DiskNbdServer>()?.LocalEndPoint;

    /// <summary>Opens everything, starts the application and returns once it accepts requests.</summary>
    /// <param name="configureLogging">Replaces the console logging of <c>imago serve</c> (tests keep it quiet).</param>
    public static async Task<ImagoHost> StartAsync(ServeSettings settings, Action<ILoggingBuilder>? configureLogging, CancellationToken cancellationToken)
    {
        var dataLock = DataDirectoryLock.Acquire(settings.DataDirectory);
        RegionStores? stores = null;
        WebApplication? app = null;
        try
        {
            var database = new ImagoDatabase(new DatabaseOptions(settings.DataDirectory, settings.ConnectionString));
            await DatabaseOpener.InitializeAsync(database, cancellationToken).ConfigureAwait(false);
            var regions = new RegionCatalog(settings.RegionIds);
            var instanceTypes = await LoadInstanceTypesAsync(settings.InstanceTypesFile, cancellationToken).ConfigureAwait(false);
            var priceBook = settings.PriceBookFile is { } priceFile
                ? await PriceBook.LoadAsync(priceFile, cancellationToken).ConfigureAwait(false)
                : await PriceBook.LoadSampleAsync(cancellationToken).ConfigureAwait(false);
            priceBook.Validate(regions.RegionIds, instanceTypes.All.Select(t => t.InstanceTypeId));
            TimeProvider clock = settings.ClockFile is { } clockFile ? TestClock.Open(clockFile) : TimeProvider.System;
            stores = await RegionStores.OpenAsync(settings.DataDirectory, regions, cancellationToken).ConfigureAwait(false);
            app = Build(settings, database, regions, stores, instanceTypes, priceBook, clock, configureLogging);

            // Fail now, not at the first request, on a bad IMAGO_MASTER_KEY or an unreadable master.key.
            app.Services.GetRequiredService<MasterKey>();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                // Kestrel reports its own bind failures as IOException naming the URL; the NBD listener's is bare.
                throw new IOException($"cannot serve NBD on {Describe(settings.NbdEndpoint)}: {e.Message}", e);
            }

            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
                .Select(a => new Uri(a))
                .ToArray();
            return new ImagoHost(settings, dataLock, database, stores, app, addresses);
        }
        catch (InvalidDataException e)
        {
            // A damaged or wrong input (master key, instance-type file, a store's layout): the operator's
            // one line, not an internal error.
            await ReleaseAsync(app, stores, dataLock).ConfigureAwait(false);
            throw new IOException(e.Message, e);
        }
        catch
        {
            await ReleaseAsync(app, stores, dataLock).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ReleaseAsync(WebApplication? app, RegionStores? stores, DataDirectoryLock dataLock)
    {
        if (app is not null)
        {
            // Hosted services that started before the failing one are stopped, not just dropped.
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        if (stores is not null)
        {
            await stores.DisposeAsync().ConfigureAwait(false);
        }

        dataLock.Dispose();
    }

    /// <summary>Stops accepting requests, lets running ones finish, stops the hosted services.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            await _stores.DisposeAsync().ConfigureAwait(false);
            _lock.Dispose();
        }
    }

    /// <summary>The longest request line (method, path and query) accepted; longer ones get Kestrel's 414.</summary>
    public const int MaxRequestLineBytes = 256 * 1024;

    private static WebApplication Build(ServeSettings settings, ImagoDatabase database, RegionCatalog regions, RegionStores stores, InstanceTypeCatalog instanceTypes,
        PriceBook priceBook, TimeProvider clock, Action<ILoggingBuilder>? configureLogging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "imago" });
        builder.WebHost.UseUrls([.. settings.Urls]);
        // V3 SDKs send every API parameter in the query: Kestrel's 8 KiB request line would answer a bare 414 before
        // the ECS pipeline could name the parameter. 256 KiB lets such requests reach it (and its own limits) while
        // staying well inside Kestrel's 1 MiB request buffer.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes);
        builder.Logging.ClearProviders();
        if (configureLogging is not null)
        {
            configureLogging(builder.Logging);
        }
        else
        {
            ServeLogging.Configure(builder.Logging);
        }

        // Ctrl+C and SIGTERM reach the service through the command's cancellation token (Program.cs), not
        // through handlers of the host's own, which tests starting several hosts in one process must not get.
        builder.Services.AddSingleton<IHostLifetime, TokenHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));

        builder.Services.AddSingleton(new ServiceOptions(settings.DataDirectory, settings.RegionIds, settings.NbdEndpoint, settings.NbdHost,
            settings.InstanceTypesFile, settings.CopyConcurrency, settings.TransferRateMiBPerSecond));
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(regions);
        builder.Services.AddSingleton(stores);
        builder.Services.AddSingleton(instanceTypes);
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton(priceBook);
        builder.Services.AddImago();
        builder.Services.AddImagoConsole(settings.DataDirectory);
        if (clock is TestClock)
        {
            TestClockIsolation.KeepRealTime(builder.Services);
        }

        if (settings.ForwardedProxies is { } proxies)
        {
            ForwardedProto.Configure(builder.Services, proxies);
        }

        var app = builder.Build();
        if (settings.ForwardedProxies is not null)
        {
            // Before everything that looks at the scheme: the console's Secure cookie flag.
            app.UseForwardedHeaders();
        }

        // The console first: its root redirect and /console routes; everything else is the API's.
        app.MapImagoConsole();
        app.MapImago();
        return app;
    }

    private static async Task<InstanceTypeCatalog> LoadInstanceTypesAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return new InstanceTypeCatalog();
        }

        try
        {
            return await InstanceTypeCatalog.LoadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"--instance-types {path}: not a JSON array of instance types ({e.Message})");
        }
    }

    /// <summary>An NBD endpoint for the start line: ADDR:PORT, or "off".</summary>
    public static string Describe(IPEndPoint? endPoint) => endPoint?.ToString() ?? "off";
}
