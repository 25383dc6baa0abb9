using Imago.Formats.Guest;

namespace Imago.Formats.Tests.Guest;

/// <summary>The read budget that bounds detection's time on any disk, and the bounds every read is checked against.</summary>
public sealed class GuestDiskTests
{
    private static readonly GuestDiskRead Zeros = (_, _, _) => ValueTask.CompletedTask;

    [Theory]
    [InlineData(-1, 16)]
    [InlineData(4096 - 15, 16)]
    [InlineData(0, -1)]
    [InlineData(0, GuestDisk.MaxReadBytes + 1)]
    [InlineData(long.MaxValue, 16)]
    public async Task Reads_outside_the_disk_or_over_the_size_limit_are_refused_before_allocating(long offset, int length)
    {
        var disk = new GuestDisk(4096, Zeros);

        await Assert.ThrowsAsync<GuestDataException>(async () => await disk.ReadAsync(offset, length, CancellationToken.None));
    }

    [Fact]
    public async Task A_detection_that_reads_without_end_runs_out_of_budget()
    {
        var disk = new GuestDisk(1L << 40, Zeros);
        var reads = 0;

        var error = await Assert.ThrowsAsync<GuestDataException>(async () =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                await disk.ReadAsync(0, 512, CancellationToken.None);
                reads++;
            }
        });

        Assert.Equal(20_000, reads);
        Assert.Contains("more reads", error.Message, StringComparison.Ordinal);
    }
}
