using System.Globalization;
using System.Text;
using Imago.Api.Rpc;
using Imago.Core.Copying;

namespace Imago.Api.Actions.Copying;

/// <summary>The copy counters on /metrics: bytes and chunks sent to destination stores, chunks skipped, copies finished.</summary>
public sealed class CopyMetrics(CopyCounters counters) : IMetricsSource
{
    public void AppendTo(StringBuilder text)
    {
        Counter(text, "imago_copy_bytes_sent_total", "Chunk bytes CopyImage sent to destination block stores.", counters.BytesSent);
        Counter(text, "imago_copy_chunks_sent_total", "Chunks CopyImage sent (the destination lacked them).", counters.ChunksSent);
        Counter(text, "imago_copy_chunks_skipped_total", "Chunks CopyImage did not send because the destination already held them.", counters.ChunksSkipped);
        Counter(text, "imago_copy_images_finished_total", "CopyImage copies that ended Available.", counters.CopiesFinished);
    }

    private static void Counter(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
}
