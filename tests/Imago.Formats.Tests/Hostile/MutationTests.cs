using Imago.Formats.Inspection;
using Imago.Formats.IO;

namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// Deterministic in-process mutation testing, one test per parser: a few thousand seeded mutations of small
/// qemu-img-made qcow2 and VHD images, each of which must end in success or an <see cref="ImageFormatException"/>
/// (no other exception type, no defect behind the refusal, no hang). A failure names the seed, the random seed and
/// the iteration, so that the input can be rebuilt and committed under Regressions/.
/// </summary>
public sealed class MutationTests
{
    private const int RandomSeed = 20260227;

    private static readonly string[] Qcow2Seeds = ["qcow2-v3", "qcow2-v2", "qcow2-c512", "qcow2-zstd", "qcow2-zlib-compressed", "qcow2-extended-l2"];
    private static readonly string[] VhdSeeds = ["vhd-dynamic", "vhd-fixed"];

    [Fact]
    public Task Inspector_survives_mutations() => RunAsync(Qcow2Seeds.Concat(VhdSeeds), 600, async (data, ct) =>
    {
        using var source = new MemoryByteSource(data);
        await ImageInspector.InspectAsync(source, null, ct);
    });

    [Fact]
    public Task Qcow2_open_map_and_read_survive_mutations() =>
        RunAsync(Qcow2Seeds, 400, (data, ct) => Pipeline.OpenMapAndReadAllAsync(data, ImageFormat.Qcow2, ct));

    [Fact]
    public Task Vhd_open_map_and_read_survive_mutations() =>
        RunAsync(VhdSeeds, 1000, (data, ct) => Pipeline.OpenMapAndReadAllAsync(data, ImageFormat.Vhd, ct));

    [Fact]
    public Task Qcow2_check_survives_mutations() => RunAsync(Qcow2Seeds, 300, (data, ct) => Pipeline.CheckAsync(data, ct));

    [Fact]
    public Task Vhd_check_survives_mutations() => RunAsync(VhdSeeds, 600, (data, ct) => Pipeline.CheckAsync(data, ct));

    [Fact]
    public async Task Create_options_parser_survives_mutations()
    {
        string[] seeds = ["cluster_size=64k,compression_type=zstd", "subformat=fixed,force_size", "force_size=off,cluster_size=2M", "cluster_size=512"];
        var random = new Random(RandomSeed);
        const string Alphabet = "=,-_ abcdefghijklmnopqrstuvwxyz0123456789kKmMgGtTpPeE.\0\n\r\t\u00e9\u2028";
        var failures = new List<string>();
        for (var i = 0; i < 5000; i++)
        {
            var text = seeds[i % seeds.Length].ToCharArray().ToList();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(text.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when text.Count > 0 && at < text.Count: text.RemoveAt(at); break;
                    case 1: text.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    default: text.InsertRange(at, random.Next(2) == 0 ? "99999999999999999999" : "=,=,"); break;
                }
            }

            var input = new string([.. text]);
            if (await Pipeline.CrashOfAsync(_ => { ImageCreateOptions.Parse(input); return Task.CompletedTask; }) is { } crash)
            {
                failures.Add($"options \"{input}\" (iteration {i}): {crash}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    private static async Task RunAsync(IEnumerable<string> seedNames, int perSeed, Func<byte[], CancellationToken, Task> target)
    {
        var failures = new List<string>();
        var total = 0;
        foreach (var name in seedNames)
        {
            var seed = HostileCorpus.Seed(name).Data;
            var mutator = new Mutator(seed, RandomSeed, Mutator.HotRegionsOf(seed));
            for (var i = 0; i < perSeed; i++)
            {
                var input = mutator.Next();
                total++;
                if (await Pipeline.CrashOfAsync(ct => target(input, ct)) is { } crash)
                {
                    failures.Add($"seed {name}, iteration {i}: {crash}");
                    if (failures.Count >= 20)
                    {
                        break;
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {total} mutated inputs crashed:\n" + string.Join("\n", failures));
    }
}
