namespace Imago.Core.Billing;

/// <summary>Hour arithmetic on UTC times: the ledger's unit of accrual.</summary>
public static class Hours
{
    public static DateTime Floor(DateTime time) =>
        new(time.Ticks - time.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    public static DateTime Ceiling(DateTime time) =>
        time.Ticks % TimeSpan.TicksPerHour == 0 ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : Floor(time).AddHours(1);

    /// <summary>YYYY-MM: the billing cycle an hour belongs to.</summary>
    public static string BillingCycle(DateTime hourStart) =>
        hourStart.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
