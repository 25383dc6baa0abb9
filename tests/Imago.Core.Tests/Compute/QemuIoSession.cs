using System.Diagnostics;
using System.Text;

namespace Imago.Core.Tests.Compute;

/// <summary>
/// An interactive qemu-io on an NBD URL: one connection kept open across commands, as a hypervisor keeps it.
/// Each command's output is what qemu-io prints before its next prompt. Bounded: every wait times out.
/// </summary>
internal sealed class QemuIoSession : IAsyncDisposable
{
    private const string Prompt = "qemu-io> ";
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private QemuIoSession(Process process)
    {
        _process = process;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    public static async Task<QemuIoSession> OpenAsync(string url)
    {
        var psi = new ProcessStartInfo("qemu-io")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "-f", "raw", url })
        {
            psi.ArgumentList.Add(arg);
        }

        var session = new QemuIoSession(Process.Start(psi) ?? throw new InvalidOperationException("cannot start qemu-io"));
        await session.WaitForPromptsAsync(1);
        return session;
    }

    /// <summary>Runs one command and returns what it printed.</summary>
    public async Task<string> RunAsync(string command)
    {
        int start;
        int prompts;
        lock (_gate)
        {
            start = _output.Length;
            prompts = CountPrompts();
        }

        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        await WaitForPromptsAsync(prompts + 1);
        lock (_gate)
        {
            return _output.ToString(start, _output.Length - start);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }

        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
    }

    private async Task WaitForPromptsAsync(int count)
    {
        for (var i = 0; i < 600; i++)
        {
            lock (_gate)
            {
                if (CountPrompts() >= count)
                {
                    return;
                }
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        lock (_gate)
        {
            throw new TimeoutException("qemu-io did not answer: " + _output);
        }
    }

    private int CountPrompts()
    {
        var text = _output.ToString();
        var count = 0;
        for (var at = text.IndexOf(Prompt, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Prompt, at + Prompt.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _output.Append(buffer, 0, read);
            }
        }
    }
}
