using System.Text;
using Imago.Core.Billing;
using Imago.Core.Compute;
using Imago.Core.Regions;

namespace Imago.Core.Tests.Billing;

public sealed class PriceBookTests
{
    private static Task<PriceBook> ParseAsync(string json) =>
        PriceBook.ParseAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json", CancellationToken.None);

    [Fact]
    public async Task The_embedded_sample_covers_the_default_regions_and_the_built_in_instance_types()
    {
        var book = await PriceBook.LoadSampleAsync(CancellationToken.None);
        book.Validate(RegionCatalog.DefaultRegionIds, InstanceTypeCatalog.BuiltIn.Select(t => t.InstanceTypeId));
        Assert.Equal(720, book.HoursPerMonth);
        Assert.Equal("USD", book.For("cn-shanghai")!.Currency); // from "*"
        Assert.NotEqual(book.InstanceHourly("cn-hangzhou", "ecs.g7.large"), book.InstanceHourly("cn-shanghai", "ecs.g7.large"));
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("""{"regions":{}}""", "\"regions\" is missing or empty")]
    [InlineData("""{"regions":{"cn-hangzhou":{"currency":"usd","snapshotPerGiBMonth":0,"instanceTypes":{}}}}""", "ISO 4217")]
    [InlineData("""{"regions":{"cn-hangzhou":{"currency":"USD","instanceTypes":{}}}}""", "snapshotPerGiBMonth")]
    [InlineData("""{"regions":{"cn-hangzhou":{"currency":"USD","snapshotPerGiBMonth":0,"instanceTypes":{"ecs.g7.large":-1}}}}""", "negative")]
    [InlineData("""{"regions":{"Not A Region":{"currency":"USD","snapshotPerGiBMonth":0}}}""", "not a region id")]
    [InlineData("""{"hoursPerMonth":0,"regions":{"*":{"currency":"USD","snapshotPerGiBMonth":0}}}""", "hoursPerMonth")]
    [InlineData("""{"regions":{"*":{"currency":"USD","snapshotPerGiBMonth":0}},"prices":1}""", "not valid JSON")]
    public async Task A_malformed_price_book_is_one_readable_line(string json, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ParseAsync(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("price book test.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_names_the_region_or_instance_type_without_a_price()
    {
        var book = await ParseAsync("""{"regions":{"cn-hangzhou":{"currency":"USD","snapshotPerGiBMonth":0.02,"instanceTypes":{"ecs.g7.large":0.1}}}}""");
        var region = Assert.Throws<InvalidDataException>(() => book.Validate(["cn-shanghai"], ["ecs.g7.large"]));
        Assert.Contains("no prices for region cn-shanghai", region.Message, StringComparison.Ordinal);
        var type = Assert.Throws<InvalidDataException>(() => book.Validate(["cn-hangzhou"], ["ecs.g7.large", "ecs.c7.large"]));
        Assert.Contains("region cn-hangzhou has no price for instance type ecs.c7.large", type.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_test_clock_reads_its_file_and_a_rewrite_moves_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "imago-clock-" + Guid.NewGuid().ToString("N"));
        try
        {
            await TestClock.WriteAsync(path, new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), CancellationToken.None);
            var clock = TestClock.Open(path);
            Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
            await TestClock.WriteAsync(path, clock.GetUtcNow().AddHours(2), CancellationToken.None);
            Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
            await File.WriteAllTextAsync(path, "garbage");
            Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), clock.GetUtcNow()); // the last good instant
            Assert.Throws<InvalidDataException>(() => TestClock.Open(path));
            Assert.Null(TestClock.Parse("2026-03-01T10:00:00")); // no zone: refused, not guessed
        }
        finally
        {
            File.Delete(path);
        }
    }
}
