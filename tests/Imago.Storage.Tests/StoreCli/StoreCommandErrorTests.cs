using Imago.Formats.Tests.Infrastructure;

namespace Imago.Storage.Tests.StoreCli;

/// <summary>Bad input to each command: exit 1 and exactly one "imago: ..." line, never a stack trace or an internal error.</summary>
public sealed class StoreCommandErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public static TheoryData<string[], string> BadCommands => new()
    {
        { ["ls", "extra"], "expecting" },
        { ["info"], "expecting ID" },
        { ["info", "nope"], "no volume or snapshot 'nope'" },
        { ["info", "../etc"], "invalid id" },
        { ["scrub", "x"], "expecting" },
        { ["gc", "-x"], "invalid option" },
        { ["import", "missing.raw", "s"], "missing.raw" },
        { ["import", "@FILE", "bad id!"], "invalid id" },
        { ["import", "@FILE", "base"], "snapshot 'base' already exists" },
        { ["export", "base", "out.img", "-O", "zip"], "unknown or unsupported output format 'zip'" },
        { ["export", "nope", "out.img", "-O", "raw"], "snapshot 'nope' does not exist" },
        { ["snapshot", "novol", "s"], "volume 'novol' does not exist" },
        { ["volume", "create", "v", "12Q"], "invalid size" },
        { ["volume", "explode"], "expecting: volume create" },
        { ["volume", "from-snapshot", "nope", "v"], "snapshot 'nope' does not exist" },
        { ["replicate", "base"], "--to DIR" },
        { ["replicate", "--to", "@DATA", "base"], "the destination is the source store" },
        { ["nbd", "--listen", "nonsense"], "invalid --listen address" },
        { ["frob"], "unknown store command 'frob'" },
    };

    [Theory]
    [MemberData(nameof(BadCommands))]
    public async Task Bad_input_is_one_line_and_exit_1(string[] args, string expected)
    {
        var data = _temp.File("store");
        var file = _temp.File("disk.raw");
        await File.WriteAllBytesAsync(file, Infrastructure.Patterns.Random(1 << 20, 1));
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "import", file, "base", "-f", "raw")).ExitCode);

        var resolved = args.Select(a => a switch { "@FILE" => file, "@DATA" => data, "out.img" => _temp.File(a), _ => a }).ToArray();
        var result = await ImagoCli.StoreAsync(data, resolved);

        AssertOneLineError(result, expected);
    }

    [Fact]
    public async Task A_missing_or_foreign_data_directory_and_a_missing_data_option_are_one_line_errors()
    {
        AssertOneLineError(await ImagoCli.StoreAsync(_temp.File("absent"), "ls"), "is not an Imago store");
        Directory.CreateDirectory(_temp.File("foreign"));
        await File.WriteAllTextAsync(_temp.File("foreign/notes.txt"), "not a store");
        AssertOneLineError(await ImagoCli.StoreAsync(_temp.File("foreign"), "volume", "create", "v", "1M"), "neither an Imago store nor empty");
        Assert.False(File.Exists(_temp.File("foreign/store.json")));
        AssertOneLineError(await ImagoCli.RunAsync("store", "ls"), "the data directory is required");
        AssertOneLineError(await ImagoCli.RunAsync("store", "--data"), "requires an argument");
    }

    [Fact]
    public async Task A_store_in_use_by_another_opener_is_refused_in_one_line()
    {
        var data = _temp.File("store");
        Assert.Equal(0, (await ImagoCli.StoreAsync(data, "volume", "create", "v", "1M")).ExitCode);
        await using var holder = await BlockStore.OpenAsync(data);
        AssertOneLineError(await ImagoCli.StoreAsync(data, "ls"), "in use");
    }

    private static void AssertOneLineError(ImagoCli.Result result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("imago: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", lines[0], StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}
