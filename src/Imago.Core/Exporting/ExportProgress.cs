using Imago.Core.Tasks;
using Imago.Formats.Conversion;

namespace Imago.Core.Exporting;

/// <summary>
/// The export's progress across its disks: each disk moves its share from 0 to 100 (a staged format spends the
/// first 90 on writing the file and the last 10 on the upload; raw streams, so the upload is all of it). The task
/// shows 0-99 while running (100 once Finished); <see cref="RunAsync"/> records it at most every 250 ms.
/// </summary>
internal sealed class ExportProgress(TaskExecution task, int disks, TimeProvider time)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>The share of a staged disk spent writing its file (the rest is the upload).</summary>
    public const double StagedShare = 0.9;

    private double _diskPercent;
    private int _position;
    private int _reported = -1;

    public int Percent => (int)((Volatile.Read(ref _position) * 100.0 + Volatile.Read(ref _diskPercent)) * 99 / (100.0 * disks));

    /// <summary>Starts disk <paramref name="position"/> (0-based) at 0%.</summary>
    public void StartDisk(int position)
    {
        Volatile.Write(ref _diskPercent, 0);
        Volatile.Write(ref _position, position);
    }

    /// <summary>Writing a staged file: 0-90% of the disk.</summary>
    public IProgress<ConvertProgress> Conversion() => new Relay<ConvertProgress>(p => Set(p.Percent * StagedShare));

    /// <summary>Uploading <paramref name="total"/> bytes, from <paramref name="start"/>% of the disk to 100%.</summary>
    public IProgress<long> Upload(long total, double start) =>
        new Relay<long>(bytes => Set(start + (100 - start) * (total <= 0 ? 1.0 : Math.Min(1.0, (double)bytes / total))));

    /// <summary>Runs <paramref name="work"/>, recording the percentage while it runs and once when it is done.</summary>
    public async Task RunAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        var running = work();
        while (!running.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(running, Task.Delay(Interval, time, cancellationToken)).ConfigureAwait(false);
            await ReportAsync(cancellationToken).ConfigureAwait(false);
        }

        await running.ConfigureAwait(false);
        await ReportAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var percent = Percent;
        if (percent != _reported)
        {
            _reported = percent;
            await task.ReportProgressAsync(percent, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Set(double diskPercent) => Volatile.Write(ref _diskPercent, Math.Clamp(diskPercent, 0, 100));

    /// <summary>Unlike <see cref="Progress{T}"/>, reports on the caller's thread: no callback outlives the work.</summary>
    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
