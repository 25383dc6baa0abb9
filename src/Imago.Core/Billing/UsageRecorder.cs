using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Billing;

/// <summary>
/// Writes usage intervals for the billable changes a unit of work is about to save, in the same transaction: call
/// <see cref="RecordChangesAsync"/> just before SaveChanges. It reads the change tracker, so a call site needs one line
/// and no knowledge of what is billable:
/// <list type="bullet">
/// <item>an instance added → an instance interval opens (type, ProductCode and the vendor's hourly price);</item>
/// <item>an instance deleted → its interval closes;</item>
/// <item>an instance whose ImageId, ProductCode or InstanceType changed (ReplaceSystemDisk) → close and reopen;</item>
/// <item>an accomplished snapshot added with an owner → a capacity interval of its StoredBytes opens (from its CreatedAt);
/// public-image snapshots (no owner) cost nothing; progressing ones start when finished (<see cref="SnapshotFinished"/>);</item>
/// <item>a snapshot deleted → its interval closes.</item>
/// </list>
/// </summary>
public static class UsageRecorder
{
    private static readonly string[] PricedInstanceProperties =
        [nameof(InstanceEntity.ImageId), nameof(InstanceEntity.ProductCode), nameof(InstanceEntity.InstanceType)];

    public static async Task RecordChangesAsync(ImagoDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var entries = db.ChangeTracker.Entries().ToList();
        foreach (var entry in entries)
        {
            switch (entry.Entity)
            {
                case InstanceEntity instance when entry.State == EntityState.Added:
                    await OpenInstanceAsync(db, instance, now, cancellationToken).ConfigureAwait(false);
                    break;
                case InstanceEntity instance when entry.State == EntityState.Deleted:
                    await CloseAsync(db, UsageResourceTypes.Instance, instance.Id, now, cancellationToken).ConfigureAwait(false);
                    break;
                case InstanceEntity instance when entry.State == EntityState.Modified
                                                  && PricedInstanceProperties.Any(p => entry.Property(p).IsModified):
                    await CloseAsync(db, UsageResourceTypes.Instance, instance.Id, now, cancellationToken).ConfigureAwait(false);
                    await OpenInstanceAsync(db, instance, now, cancellationToken).ConfigureAwait(false);
                    break;
                case SnapshotEntity snapshot when entry.State == EntityState.Added:
                    SnapshotFinished(db, snapshot);
                    break;
                case SnapshotEntity snapshot when entry.State == EntityState.Deleted:
                    await CloseAsync(db, UsageResourceTypes.Snapshot, snapshot.Id, now, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// A snapshot whose bytes are measured (accomplished): its owner pays for its StoredBytes from its CreatedAt.
    /// Public-image snapshots (no owner) and unfinished ones are not billed.
    /// </summary>
    public static void SnapshotFinished(ImagoDbContext db, SnapshotEntity snapshot)
    {
        if (snapshot.AccountId is not { } owner || snapshot.Status != SnapshotStatuses.Accomplished)
        {
            return;
        }

        db.UsageIntervals.Add(new UsageIntervalEntity
        {
            AccountId = owner,
            RegionId = snapshot.RegionId,
            ResourceType = UsageResourceTypes.Snapshot,
            ResourceId = snapshot.Id,
            ProductCode = snapshot.ProductCode,
            StoredBytes = snapshot.StoredBytes,
            StartedAt = snapshot.CreatedAt,
            AccruedUntil = Hours.Floor(snapshot.CreatedAt),
        });
    }

    private static async Task OpenInstanceAsync(ImagoDbContext db, InstanceEntity instance, DateTime now, CancellationToken cancellationToken)
    {
        var productCode = ProductCodeOf(db, instance);
        var product = productCode.Length == 0
            ? null
            : await db.MarketplaceProducts.AsNoTracking().FirstOrDefaultAsync(p => p.ProductCode == productCode, cancellationToken).ConfigureAwait(false);
        db.UsageIntervals.Add(new UsageIntervalEntity
        {
            AccountId = instance.AccountId,
            RegionId = instance.RegionId,
            ResourceType = UsageResourceTypes.Instance,
            ResourceId = instance.Id,
            InstanceType = instance.InstanceType,
            ProductCode = productCode,
            VendorHourlyPrice = product?.HourlyPrice ?? 0,
            VendorCurrency = product?.Currency ?? "",
            StartedAt = now,
            AccruedUntil = Hours.Floor(now),
        });
    }

    /// <summary>
    /// The Marketplace product of the instance's system disk: the system disk saved in this unit of work (launch,
    /// ReplaceSystemDisk) is the source of truth; otherwise the instance's own ProductCode.
    /// </summary>
    private static string ProductCodeOf(ImagoDbContext db, InstanceEntity instance) =>
        db.ChangeTracker.Entries<DiskEntity>()
            .Where(e => e.State != EntityState.Deleted && e.Entity.InstanceId == instance.Id && e.Entity.Type == Compute.DiskTypes.System)
            .Select(e => e.Entity.ProductCode).FirstOrDefault() ?? instance.ProductCode;

    private static async Task CloseAsync(ImagoDbContext db, string resourceType, string resourceId, DateTime now, CancellationToken cancellationToken)
    {
        var open = await db.UsageIntervals
            .Where(u => u.ResourceType == resourceType && u.ResourceId == resourceId && u.EndedAt == null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // An interval opened in this unit of work is not in the database yet.
        open.AddRange(db.ChangeTracker.Entries<UsageIntervalEntity>()
            .Where(e => e.State == EntityState.Added && e.Entity.ResourceType == resourceType && e.Entity.ResourceId == resourceId && e.Entity.EndedAt == null)
            .Select(e => e.Entity));
        foreach (var interval in open)
        {
            interval.EndedAt = now < interval.StartedAt ? interval.StartedAt : now;
            interval.Version++;
        }
    }
}
