using Imago.Api.Tests.Compute;
using Imago.Api.Tests.Infrastructure;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Api.Tests.Billing;

/// <summary>A server on the test clock (standing at <see cref="Start"/> until advanced with <c>imago admin clock advance</c>).</summary>
public sealed class BillingServer : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    public ImagoServer Server { get; } = new() { TestClockStart = Start };

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();

    /// <summary>Moves the server's clock forward through the CLI.</summary>
    public async Task AdvanceAsync(string duration)
    {
        // Not RunImagoAsync: on PostgreSQL it appends --db, which the clock (a file in the data directory) does not take.
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Imago.Cli.CommandLine.Default.RunAsync(["admin", "clock", "advance", duration, "--data", Server.DataDirectory],
            new Imago.Cli.CommandConsole(output, error), CancellationToken.None);
        Assert.True(exit == 0, error.ToString());
    }

    /// <summary>A Marketplace image of a published product (rows as the marketplace area writes them).</summary>
    public async Task<string> AddMarketplaceImageAsync(string productCode, decimal hourly)
    {
        var imageId = await ComputeApi.AddImageAsync(Server, 0x42);
        await using var db = Server.GetRequiredService<ImagoDatabase>().CreateContext();
        await db.Images.Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.Kind, ImageKinds.Marketplace).SetProperty(i => i.ProductCode, productCode));
        db.MarketplaceProducts.Add(new MarketplaceProductEntity
        {
            ProductCode = productCode, Name = productCode, Vendor = "ISV", Status = MarketplaceProductStatuses.Published, Currency = "USD",
            HourlyPrice = hourly, MonthlyPrice = hourly * 500, RegionIds = ComputeApi.Region, ImageId = imageId,
        });
        await db.SaveChangesAsync();
        return imageId;
    }
}
