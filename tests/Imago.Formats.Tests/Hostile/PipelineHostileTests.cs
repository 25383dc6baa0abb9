namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// The whole engine over the whole hostile corpus: DiskImages.OpenAsync, then the full map and every byte.
/// Each file must end in an <see cref="ImageFormatException"/> or a successful bounded read; any other exception
/// (including NotImplementedException from a missing reader), a defect behind a refusal, or a hang fails.
/// Files the inspector must accept must also be readable to the end.
/// </summary>
public sealed class PipelineHostileTests
{
    public static TheoryData<string> Groups => new(HostileCorpus.Groups);

    [Theory]
    [MemberData(nameof(Groups))]
    public async Task Open_map_and_read_everything_refuses_or_succeeds(string group)
    {
        var cases = HostileCorpus.Group(group).ToList();
        var failures = new List<string>();
        foreach (var c in cases)
        {
            if (await Pipeline.CrashOfAsync(ct => Pipeline.OpenMapAndReadAllAsync(c.Data, c.Declared, ct)) is { } crash)
            {
                failures.Add($"{c}: {crash}");
            }
            else if (c.Verdict == Verdict.Accepted)
            {
                try
                {
                    await Pipeline.OpenMapAndReadAllAsync(c.Data, c.Declared);
                }
                catch (ImageFormatException ex)
                {
                    failures.Add($"{c}: valid image refused by the reader ({ex.Kind}: {ex.Message})");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures.Take(40)));
    }
}
