using Imago.Data.Entities;

namespace Imago.Core.Billing;

/// <summary>One priced line: quantity × unit price = amount.</summary>
public sealed record Charge(string Item, decimal Quantity, string Unit, decimal UnitPrice, decimal Amount, string Currency);

/// <summary>
/// The fee rules as arithmetic, shared by the metering job (what was used) and DescribePrice (what would be):
/// instance-hours at the price book's hourly price for the type, plus the vendor's hourly price when the system
/// disk descends from a Marketplace product; snapshot capacity at the price book's GiB-month price, spread over
/// <see cref="PriceBook.HoursPerMonth"/> hours. Everything prorated by the second.
/// </summary>
public static class Charges
{
    public const string HourUnit = "Hour";
    public const string GiBMonthUnit = "GiB-Month";
    private const decimal BytesPerGiB = 1L << 30;
    private const int Scale = 12;

    /// <summary>The charges of <paramref name="seconds"/> of an interval's existence.</summary>
    public static IEnumerable<Charge> For(UsageIntervalEntity interval, decimal seconds, PriceBook prices)
    {
        var region = prices.For(interval.RegionId);
        var currency = region?.Currency ?? "";
        if (interval.ResourceType == UsageResourceTypes.Snapshot)
        {
            yield return Capacity(interval.StoredBytes, seconds, region?.SnapshotPerGiBMonth ?? 0, currency, prices.HoursPerMonth);
            yield break;
        }

        yield return Hourly(LedgerItems.InstanceType, seconds, prices.InstanceHourly(interval.RegionId, interval.InstanceType) ?? 0, currency);
        if (interval.ProductCode.Length > 0)
        {
            yield return Hourly(LedgerItems.ImageFee, seconds, interval.VendorHourlyPrice, interval.VendorCurrency);
        }
    }

    public static Charge Hourly(string item, decimal seconds, decimal hourlyPrice, string currency)
    {
        var hours = seconds / 3600m;
        return new Charge(item, Math.Round(hours, Scale), HourUnit, hourlyPrice, Math.Round(hours * hourlyPrice, Scale), currency);
    }

    public static Charge Capacity(long bytes, decimal seconds, decimal perGiBMonth, string currency, int hoursPerMonth)
    {
        var gibMonths = bytes / BytesPerGiB * seconds / (hoursPerMonth * 3600m);
        return new Charge(LedgerItems.SnapshotCapacity, Math.Round(gibMonths, Scale), GiBMonthUnit, perGiBMonth, Math.Round(gibMonths * perGiBMonth, Scale), currency);
    }
}
