using Imago.Storage.Nbd;
using Imago.Storage.Tests.Infrastructure;
using Imago.Storage.Tests.Nbd;

namespace Imago.Storage.Tests.Review;

/// <summary>Server-wide limits: the total payload memory across connections, and the idle timeout.</summary>
public sealed class NbdServerLimitTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public void The_idle_timeout_can_be_turned_off_but_not_set_to_zero()
    {
        var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0);
        new NbdServerOptions { EndPoint = endpoint, IdleTimeout = Timeout.InfiniteTimeSpan }.Validate();
        Assert.Throws<ArgumentOutOfRangeException>(() => new NbdServerOptions { EndPoint = endpoint, IdleTimeout = TimeSpan.Zero }.Validate());
    }

    [Fact]
    public async Task A_connection_waits_for_the_server_wide_memory_budget_instead_of_allocating_past_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var held = new GatedDevice(new MemoryBlockDevice(4 * MiB));
        var other = new GatedDevice(new MemoryBlockDevice(4 * MiB));
        await using var server = new NbdServer(new Exports(("held", held), ("other", other)),
            new NbdServerOptions { MaxTotalBytesInFlight = MiB });
        server.Start();
        var port = server.LocalEndPoint.Port;

        // The first connection takes the whole budget with a write the device holds.
        var (first, _, _) = await RawNbdClient.OpenAsync(port, "held", timeout.Token);
        await using var firstClient = first;
        held.HoldWrites();
        await first.SendRequestAsync(RawNbdClient.CmdWrite, 1, 0, MiB, Patterns.Random(MiB, 1));
        await held.WriteEntered.WaitAsync(timeout.Token);

        // The second one, on another export, must wait for budget: its write does not reach its device.
        var (second, _, _) = await RawNbdClient.OpenAsync(port, "other", timeout.Token);
        await using var secondClient = second;
        var small = Patterns.Random(4096, 2);
        await second.SendRequestAsync(RawNbdClient.CmdWrite, 2, 0, 4096, small);
        while (server.RequestsWaitingForMemory == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Equal(0, other.Writes);

        held.Release();
        Assert.Equal((0U, 1UL), Short(await first.ReadReplyAsync()));
        Assert.Equal((0U, 2UL), Short(await second.ReadReplyAsync()));
        Assert.Equal(1, other.Writes);
        Assert.Equal(0, server.RequestsWaitingForMemory);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout_and_the_server_goes_on()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var failures = new List<Exception>();
        var device = new GatedDevice(new MemoryBlockDevice(MiB));
        await using var server = new NbdServer(new Exports(("disk", device)), new NbdServerOptions
        {
            IdleTimeout = TimeSpan.FromMilliseconds(300),
            ConnectionFailed = (_, e) => { lock (failures) { failures.Add(e); } },
        });
        server.Start();
        var port = server.LocalEndPoint.Port;

        var (client, _, _) = await RawNbdClient.OpenAsync(port, "disk", timeout.Token);
        await using (client)
        {
            // A request in flight longer than the timeout is activity, not idleness.
            device.HoldFlushes();
            await client.SendRequestAsync(RawNbdClient.CmdFlush, 1, 0, 0);
            await device.FlushEntered.WaitAsync(timeout.Token);
            await Task.Delay(TimeSpan.FromMilliseconds(900), timeout.Token);
            device.Release();
            Assert.Equal((0U, 1UL), Short(await client.ReadReplyAsync()));

            // Then nothing: the server closes the connection (the test's own bound is 60 s).
            Assert.True(await client.IsClosedByServerAsync());
        }

        lock (failures)
        {
            Assert.IsType<TimeoutException>(Assert.Single(failures));
        }

        var (again, size, _) = await RawNbdClient.OpenAsync(port, "disk", timeout.Token);
        await using (again)
        {
            Assert.Equal((ulong)MiB, size);
        }
    }

    private static (uint Error, ulong Cookie) Short((uint Error, ulong Cookie, byte[] Data) reply) => (reply.Error, reply.Cookie);

    /// <summary>Named devices; each connection gets a handle the server may dispose (the device itself lives on).</summary>
    private sealed class Exports(params (string Name, IBlockDevice Device)[] devices) : INbdExportProvider
    {
        public ValueTask<IReadOnlyList<NbdExportDescription>> ListExportsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<NbdExportDescription>>([.. devices.Select(d => new NbdExportDescription(d.Name))]);

        public ValueTask<IBlockDevice?> OpenExportAsync(string name, CancellationToken cancellationToken) =>
            ValueTask.FromResult(devices.Where(d => d.Name == name).Select(d => d.Device).FirstOrDefault());
    }

    /// <summary>A device whose writes or flushes can be held until <see cref="Release"/>.</summary>
    private sealed class GatedDevice(MemoryBlockDevice inner) : IBlockDevice
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _writeEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _flushEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _holdWrites;
        private volatile bool _holdFlushes;

        public Task WriteEntered => _writeEntered.Task;

        public Task FlushEntered => _flushEntered.Task;

        public int Writes => inner.Writes;

        public long Size => inner.Size;

        public bool IsReadOnly => false;

        public void HoldWrites() => _holdWrites = true;

        public void HoldFlushes() => _holdFlushes = true;

        public void Release() => _gate.TrySetResult();

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(offset, buffer, cancellationToken);

        public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            if (_holdWrites)
            {
                _writeEntered.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }

            await inner.WriteAsync(offset, data, cancellationToken);
        }

        public ValueTask WriteZeroesAsync(long offset, long length, CancellationToken cancellationToken = default) =>
            inner.WriteZeroesAsync(offset, length, cancellationToken);

        public ValueTask TrimAsync(long offset, long length, CancellationToken cancellationToken = default) =>
            inner.TrimAsync(offset, length, cancellationToken);

        public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_holdFlushes)
            {
                _flushEntered.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }

            await inner.FlushAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
