using Imago.Api.Actions.Billing;
using Imago.Api.Rpc;
using Imago.Core.Billing;
using Microsoft.Extensions.DependencyInjection;

namespace Imago.Api.Hosting;

public static partial class ImagoRegistration
{
    /// <summary>
    /// Metering (the hourly ledger job), DescribePrice and QueryInstanceBill. The host registers the
    /// <see cref="PriceBook"/> (--price-book, validated at start).
    /// </summary>
    static partial void AddBilling(IServiceCollection services)
    {
        services.AddSingleton<UsageMeter>();
        services.AddSingleton<PriceQuotes>();
        services.AddSingleton<BillQueries>();
        services.AddHostedService<MeteringHostedService>();
        services.AddSingleton<IEcsActionHandler, DescribePriceHandler>();
        services.AddSingleton<IEcsActionHandler, QueryInstanceBillHandler>();
    }
}
