namespace Imago.Formats.Tests.Hostile;

/// <summary>
/// The inspector against the whole hostile corpus: every case gets exactly the outcome it is owed (refusal kind,
/// or acceptance with qemu-img's format and virtual size), with a one-line message and no other exception type.
/// </summary>
public sealed class HostileInspectionTests
{
    public static TheoryData<string> Groups => new(HostileCorpus.Groups);

    [Theory]
    [MemberData(nameof(Groups))]
    public async Task Every_case_gets_its_owed_outcome(string group)
    {
        var cases = HostileCorpus.Group(group).ToList();
        Assert.NotEmpty(cases);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            if (await Outcome.CheckInspectionAsync(c) is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public void Corpus_generation_is_deterministic()
    {
        var first = HostileCorpus.Group("qcow2-header").Concat(HostileCorpus.Group("vhd-structure")).Select(c => (c.Name, c.Data)).ToList();
        var second = HostileCorpus.Group("qcow2-header").Concat(HostileCorpus.Group("vhd-structure")).Select(c => (c.Name, c.Data)).ToList();
        Assert.Equal(first.Select(c => c.Name), second.Select(c => c.Name));
        Assert.All(first.Zip(second), p => Assert.True(p.First.Data.AsSpan().SequenceEqual(p.Second.Data), p.First.Name));
    }
}
