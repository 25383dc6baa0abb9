using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Imago.Data;

/// <summary>
/// The service's metadata (accounts, images, instances, disks, snapshots, tasks). Bytes live in the block
/// store; this holds what points at them. The model is provider-neutral: it runs unchanged on SQLite (the
/// embedded default) and PostgreSQL.
/// </summary>
public sealed class ImagoDbContext(DbContextOptions<ImagoDbContext> options) : DbContext(options)
{
    public DbSet<AccountEntity> Accounts => Set<AccountEntity>();

    public DbSet<AccessKeyEntity> AccessKeys => Set<AccessKeyEntity>();

    public DbSet<ImageEntity> Images => Set<ImageEntity>();

    public DbSet<ImageDiskMappingEntity> ImageDiskMappings => Set<ImageDiskMappingEntity>();

    public DbSet<ImageShareEntity> ImageShares => Set<ImageShareEntity>();

    public DbSet<ResourceTagEntity> Tags => Set<ResourceTagEntity>();

    public DbSet<InstanceEntity> Instances => Set<InstanceEntity>();

    public DbSet<DiskEntity> Disks => Set<DiskEntity>();

    public DbSet<SnapshotEntity> Snapshots => Set<SnapshotEntity>();

    public DbSet<TaskEntity> Tasks => Set<TaskEntity>();

    public DbSet<ClientTokenEntity> ClientTokens => Set<ClientTokenEntity>();

    public DbSet<SchemaVersionEntity> SchemaVersion => Set<SchemaVersionEntity>();

    public DbSet<MarketplaceProductEntity> MarketplaceProducts => Set<MarketplaceProductEntity>();

    public DbSet<MarketplaceSubscriptionEntity> MarketplaceSubscriptions => Set<MarketplaceSubscriptionEntity>();

    public DbSet<UsageIntervalEntity> UsageIntervals => Set<UsageIntervalEntity>();

    public DbSet<LedgerItemEntity> LedgerItems => Set<LedgerItemEntity>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every time is UTC. SQLite hands DateTime back as Unspecified and Npgsql refuses non-UTC values for
        // timestamptz, so the kind is fixed on the way in and out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AccountEntity>(e =>
        {
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).ValueGeneratedNever();
            e.HasIndex(a => a.Name).IsUnique();
        });

        modelBuilder.Entity<AccessKeyEntity>(e =>
        {
            e.HasKey(k => k.Id);
            e.HasIndex(k => k.AccountId);
        });

        modelBuilder.Entity<ImageEntity>(e =>
        {
            e.HasKey(i => new { i.RegionId, i.Id });
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasIndex(i => new { i.RegionId, i.OwnerAccountId, i.Status });
            // DescribeImages' newest-first page walks this index and stops after a page of visible images,
            // instead of sorting every image of the region (10,000 images, sqlite3: 2 ms → 0.1 ms for the page query).
            e.HasIndex(i => new { i.RegionId, i.CreatedAt });
            // Its TotalCount reads the visibility columns from this index, not from every row.
            e.HasIndex(i => new { i.RegionId, i.Status, i.Kind, i.OwnerAccountId });
            e.HasIndex(i => new { i.RegionId, i.Family });
            e.HasIndex(i => new { i.RegionId, i.Name });
            e.HasMany(i => i.DiskMappings).WithOne().HasForeignKey(m => new { m.RegionId, m.ImageId }).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ImageDiskMappingEntity>(e =>
        {
            e.HasKey(m => new { m.RegionId, m.ImageId, m.Index });
            e.HasIndex(m => new { m.RegionId, m.SnapshotId });
        });

        modelBuilder.Entity<ImageShareEntity>(e =>
        {
            e.HasKey(s => new { s.RegionId, s.ImageId, s.AccountId });
            e.HasIndex(s => new { s.AccountId, s.RegionId });
        });

        modelBuilder.Entity<ResourceTagEntity>(e =>
        {
            e.HasKey(t => new { t.ResourceType, t.ResourceId, t.Key });
            e.HasIndex(t => new { t.RegionId, t.ResourceType, t.Key, t.Value });
        });

        modelBuilder.Entity<InstanceEntity>(e =>
        {
            e.HasKey(i => i.Id);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasIndex(i => new { i.AccountId, i.RegionId });
            e.HasIndex(i => new { i.RegionId, i.ImageId });
        });

        modelBuilder.Entity<DiskEntity>(e =>
        {
            e.HasKey(d => d.Id);
            e.Property(d => d.Version).IsConcurrencyToken();
            e.HasIndex(d => new { d.AccountId, d.RegionId });
            e.HasIndex(d => d.InstanceId);
            e.HasIndex(d => new { d.RegionId, d.ImageId }); // "is this image in use": DescribeImages Usage, DeleteImage
        });

        modelBuilder.Entity<SnapshotEntity>(e =>
        {
            e.HasKey(s => s.Id);
            e.Property(s => s.Version).IsConcurrencyToken();
            e.HasIndex(s => new { s.AccountId, s.RegionId });
            e.HasIndex(s => s.SourceDiskId);
        });

        modelBuilder.Entity<TaskEntity>(e =>
        {
            e.HasKey(t => t.Id);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => new { t.AccountId, t.RegionId, t.Status });
        });

        modelBuilder.Entity<ClientTokenEntity>(e =>
        {
            e.HasKey(c => new { c.AccountId, c.Action, c.Token });
        });

        modelBuilder.Entity<MarketplaceProductEntity>(e =>
        {
            e.HasKey(p => p.ProductCode);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.Property(p => p.HourlyPrice).HasPrecision(18, 6);
            e.Property(p => p.MonthlyPrice).HasPrecision(18, 6);
        });

        modelBuilder.Entity<MarketplaceSubscriptionEntity>(e =>
        {
            e.HasKey(s => new { s.AccountId, s.ProductCode });
        });

        modelBuilder.Entity<UsageIntervalEntity>(e =>
        {
            e.HasKey(u => u.Id);
            e.Property(u => u.Version).IsConcurrencyToken();
            e.Property(u => u.VendorHourlyPrice).HasPrecision(18, 6);
            e.HasIndex(u => new { u.Settled, u.AccruedUntil }); // the metering job's work list
            e.HasIndex(u => new { u.ResourceType, u.ResourceId, u.EndedAt }); // the open interval of a resource
        });

        modelBuilder.Entity<LedgerItemEntity>(e =>
        {
            e.HasKey(l => l.Id);
            e.HasIndex(l => new { l.IntervalId, l.HourStart, l.Item }).IsUnique(); // an hour is never billed twice
            e.HasIndex(l => new { l.AccountId, l.BillingCycle });
            e.Property(l => l.Quantity).HasPrecision(28, 12);
            e.Property(l => l.UnitPrice).HasPrecision(18, 6);
            e.Property(l => l.Amount).HasPrecision(28, 12);
        });

        modelBuilder.Entity<SchemaVersionEntity>(e =>
        {
            e.ToTable("SchemaVersion");
            e.HasKey(v => v.Id);
            e.Property(v => v.Id).ValueGeneratedNever();
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
